package dev.chatserver.engine;

import static dev.chatserver.engine.Engines.ask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.engine.Engines.Answer;
import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.ModelParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Conversations: isolation between sessions, suffix-only decoding, eviction, ids and history. */
class ChatEngineConversationTest {

    private static final String FIRST = "Tell me about the sea.";
    private static final String QUESTION = "What did I just ask you?";

    @ParameterizedTest(name = "parallel {0}")
    @ValueSource(ints = {1, 2, 4})
    void aSessionSeesOnlyItsOwnConversation(int parallel) {
        isolation(Engines.tiny(), parallel);
    }

    @Test
    void aSessionSeesOnlyItsOwnConversationOnStories() {
        isolation(Engines.stories(), 2);
    }

    private static void isolation(Path model, int parallel) {
        String solo;
        try (ChatEngine engine = Engines.start(model, 1)) {
            solo = ask(engine.openSession(), QUESTION).text();
        }
        try (ChatEngine engine = Engines.start(model, parallel)) {
            ChatSession a = engine.openSession();
            ask(a, FIRST);
            String aAnswer = ask(a, QUESTION).text();
            ChatSession b = engine.openSession();
            String bAnswer = ask(b, QUESTION).text();
            assertThat(bAnswer).as("a fresh session answers like a session of a fresh engine").isEqualTo(solo);
            assertThat(aAnswer).as("the first turn of A shapes A's answer").isNotEqualTo(bAnswer);
        }
    }

    @Test
    void theSecondTurnDecodesOnlyTheNewSuffix() {
        Path model = Engines.tiny();
        try (ChatEngine engine = Engines.start(model, 2);
             LlamaModel vocabOnly = LlamaModel.load(model, ModelParams.vocabularyOnly())) {
            ChatSession session = engine.openSession();
            Answer first = ask(session, FIRST);
            List<ChatMessage> before = session.history();
            Answer second = ask(session, QUESTION);

            List<ChatMessage> firstTurn = new ArrayList<>(before.subList(0, before.size() - 1));
            String coveredText = vocabOnly.formatChat(firstTurn, true) + first.text();
            List<ChatMessage> conversation = new ArrayList<>(before);
            conversation.add(new ChatMessage(ChatMessage.USER, QUESTION));
            String formatted = vocabOnly.formatChat(conversation, true);
            assertThat(formatted).startsWith(coveredText);
            int suffix = vocabOnly.vocab().tokenize(formatted.substring(coveredText.length()), false, true).length;
            int whole = vocabOnly.vocab().tokenize(formatted, true, true).length;
            // A last answer token sampled at the token limit was never decoded: it comes with the suffix.
            int undecoded = first.completion().reason() == FinishReason.MAX_TOKENS ? 1 : 0;
            assertThat(second.stats().promptTokens()).isEqualTo(suffix + undecoded).isLessThan(whole);
            assertThat(first.stats().promptTokens()).isEqualTo(first.reply().prompt().tokens().length);
            for (Answer answer : List.of(first, second)) {
                ReplyStats stats = answer.stats();
                assertThat(stats.generatedTokens()).isEqualTo(answer.reply().answerTokens().length).isPositive();
                assertThat(stats.timeToFirstToken()).isPositive();
                if (stats.generatedTokens() >= 2) assertThat(stats.tokensPerSecond()).isPositive();
                assertThat(stats.droppedTurns()).isZero();
            }
            System.out.printf("second turn: %d prompt tokens decoded of %d in the conversation%n",
                    second.stats().promptTokens(), whole);
        }
    }

    @Test
    void anEvictedSessionAnswersAsIfItHadNeverBeenEvicted() {
        Path model = Engines.tiny();
        List<String> messages = List.of(FIRST, QUESTION, "And before that?");
        List<Answer> alone = new ArrayList<>();
        try (ChatEngine engine = Engines.startTracing(model, 1, c -> c)) {
            ChatSession a = engine.openSession();
            for (String message : messages) alone.add(ask(a, message));
        }
        try (ChatEngine engine = Engines.startTracing(model, 1, c -> c)) {
            ChatSession a = engine.openSession();
            ChatSession b = engine.openSession();
            List<Answer> evicted = new ArrayList<>();
            for (String message : messages) {
                evicted.add(ask(a, message));
                ask(b, "Something else: " + message); // one slot: B's turn evicts A's cache
            }
            // Same text from bit-identical logits: the re-decoded cache equals the one built turn by turn.
            assertThat(evicted).extracting(Answer::textAndLogits)
                    .isEqualTo(alone.stream().map(Answer::textAndLogits).toList());
            assertThat(a.history()).hasSize(6);
            // After eviction A decodes its whole conversation again; alone it decoded only the new suffix.
            for (int turn = 1; turn < messages.size(); turn++) {
                assertThat(evicted.get(turn).stats().promptTokens())
                        .isGreaterThan(alone.get(turn).stats().promptTokens());
            }
        }
    }

    @Test
    void sessionIdsNeverCollideAndNamesAreExclusive() {
        try (ChatEngine engine = Engines.start(Engines.tiny(), 1, c -> c.systemPrompt("You are brief."))) {
            ChatSession named = engine.openSession("s-2");
            Set<String> ids = new HashSet<>();
            ids.add(named.id());
            for (int i = 0; i < 5; i++) ids.add(engine.openSession().id());
            assertThat(ids).hasSize(6);
            assertThatThrownBy(() -> engine.openSession("s-2")).isInstanceOf(SessionNameInUseException.class)
                    .hasMessageContaining("s-2");
            assertThatThrownBy(() -> engine.openSession(" ")).isInstanceOf(IllegalArgumentException.class);
            assertThat(named.history()).containsExactly(new ChatMessage(ChatMessage.SYSTEM, "You are brief."));
            Answer answer = ask(named, FIRST);
            assertThat(named.history()).containsExactly(new ChatMessage(ChatMessage.SYSTEM, "You are brief."),
                    new ChatMessage(ChatMessage.USER, FIRST), new ChatMessage(ChatMessage.ASSISTANT, answer.text()));
            assertThat(engine.stats().openSessions()).isEqualTo(6);
            named.close();
            named.close();
            assertThat(named.history()).isEmpty();
            Completion afterClose = Engines.await(named.send("hello", Transcript.recording()));
            assertThat(afterClose.reason()).isEqualTo(FinishReason.ERROR);
            assertThat(engine.openSession("s-2").id()).isEqualTo("s-2");
        }
    }

    @Test
    void seededTemperatureSamplingIsReproducible() {
        Sampling warm = new Sampling(0.8f, 40, 0.95f, 0.05f, 7);
        try (ChatEngine engine = Engines.start(Engines.tiny(), 2, c -> c.sampling(warm))) {
            String first = ask(engine.openSession(), FIRST).text();
            String second = ask(engine.openSession(), FIRST).text();
            assertThat(second).isEqualTo(first);
        }
    }
}
