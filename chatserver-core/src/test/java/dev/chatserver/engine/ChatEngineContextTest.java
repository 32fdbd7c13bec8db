package dev.chatserver.engine;

import static dev.chatserver.engine.Engines.ask;
import static dev.chatserver.testing.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.Engines.Answer;
import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.ModelParams;
import dev.chatserver.llama.Vocab;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.testing.Transcript;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The context window: dropping old turns, messages that cannot fit, answers that reach the window's end, text. */
class ChatEngineContextTest {

    @Test
    void aContextLargerThanTheModelWasTrainedForIsCappedToIt() {
        Path trainedFor256 = TestModels.synthetic(SyntheticModel.builder().context(256).name("trained-256").build());
        try (ChatEngine engine = TestEngines.start(trainedFor256, 1, c -> c.contextPerSession(1024).maxTokens(2000))) {
            assertThat(engine.info().contextPerSession()).as("what clients are told").isEqualTo(256);
            ChatSession session = engine.openSession();
            Completion done = TestEngines.await(session.send("Tell me everything.", Transcript.recording()));
            assertThat(done.reason()).isEqualTo(FinishReason.MAX_TOKENS);
            assertThat(done.stats().promptTokens() + done.stats().generatedTokens())
                    .as("the answer ends at the capped window").isLessThanOrEqualTo(256);
        }
        try (ChatEngine engine = TestEngines.start(trainedFor256, 1, c -> c.contextPerSession(200))) {
            assertThat(engine.info().contextPerSession()).as("a smaller one stays").isEqualTo(200);
        }
    }

    @Test
    void aConversationLongerThanItsWindowDropsItsOldestTurnsAndGoesOn() {
        try (ChatEngine engine = TestEngines.start(2,
                c -> c.contextPerSession(128).maxTokens(16).systemPrompt("Be kind."))) {
            ChatSession session = engine.openSession();
            int dropped = 0;
            List<Answer> answers = new ArrayList<>();
            for (int turn = 0; turn < 8; turn++) {
                Answer answer = ask(session, "This is message number " + turn + " of a long talk.");
                answers.add(answer);
                dropped += answer.stats().droppedTurns();
            }
            assertThat(dropped).as("turns dropped over the conversation").isPositive();
            List<ChatMessage> history = session.history();
            assertThat(history.getFirst()).isEqualTo(new ChatMessage(ChatMessage.SYSTEM, "Be kind."));
            assertThat(history).hasSize(1 + 2 * (8 - dropped));
            assertThat(history.get(history.size() - 2).content()).isEqualTo("This is message number 7 of a long talk.");
            assertThat(history.getLast().content()).isEqualTo(answers.getLast().text());
            System.out.printf("window of 128 tokens: %d of 8 turns dropped%n", dropped);
        }
    }

    @Test
    void aMessageThatAloneDoesNotFitEndsWithContextFullAndTheSessionGoesOn() {
        try (ChatEngine engine = TestEngines.start(1, c -> c.contextPerSession(128).maxTokens(16))) {
            ChatSession session = engine.openSession();
            Answer before = ask(session, "Hello.");
            Transcript listener = Transcript.recording();
            Completion full = await(session.send("too long ".repeat(200), listener));
            assertThat(full.reason()).isEqualTo(FinishReason.CONTEXT_FULL);
            assertThat(full.message()).contains("128 tokens");
            assertThat(listener.pieces).isEmpty();
            assertThat(listener.completeCalls.get()).isEqualTo(1);
            assertThat(session.history()).hasSize(2).last().extracting(ChatMessage::content).isEqualTo(before.text());
            ask(session, "Still there?");
            assertThat(session.history()).hasSize(4);
        }
    }

    @Test
    void anAnswerThatReachesTheEndOfTheWindowStopsThereAndTheNextTurnStillWorks() {
        try (ChatEngine engine = TestEngines.start(1, c -> c.contextPerSession(64).maxTokens(1000))) {
            ChatSession session = engine.openSession();
            for (int turn = 0; turn < 3; turn++) {
                Answer answer = ask(session, "Go on, turn " + turn);
                // The prompt (decoded now or cached earlier) and the answer together stay within 64 tokens.
                assertThat(answer.stats().generatedTokens()).isLessThanOrEqualTo(64 - 16 / 2);
                assertThat(answer.completion().reason()).isIn(FinishReason.END, FinishReason.MAX_TOKENS);
            }
        }
    }

    @Test
    void piecesAreWholeCharactersAndJoinToTheDecodedAnswerTokens() throws CharacterCodingException {
        Path model = TestModels.tiny();
        int splitTokens = 0;
        int tokens = 0;
        // A hot temperature makes the synthetic model pick byte tokens, which split characters (seeded: repeatable).
        Sampling hot = new Sampling(8f, 0, 1f, 0f, 42);
        try (ChatEngine engine = TestEngines.start(model, 4, c -> c.maxTokens(48).sampling(hot));
             LlamaModel vocabOnly = LlamaModel.load(model, ModelParams.vocabularyOnly())) {
            Vocab vocab = vocabOnly.vocab();
            for (int i = 0; i < 8; i++) {
                Transcript transcript = Transcript.recording();
                ReplyHandle reply = (ReplyHandle) engine.openSession().send("Say something in Ünïcödé, " + i,
                        transcript);
                assertThat(await(reply).reason()).isIn(FinishReason.END, FinishReason.MAX_TOKENS);
                int[] answer = reply.answerTokens();
                assertThat(transcript.text()).isEqualTo(vocab.detokenize(answer));
                for (String piece : transcript.pieces) {
                    assertThat(piece).isNotEmpty();
                    // Whole characters: each piece on its own is well-formed UTF-16 (no lone surrogate).
                    StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(piece));
                }
                for (int token : answer) {
                    tokens++;
                    if (!isWholeUtf8(vocab.piece(token))) splitTokens++;
                }
            }
        }
        System.out.printf("UTF-8: %d of %d answer tokens were not whole characters on their own%n", splitTokens,
                tokens);
        assertThat(splitTokens).as("the model emitted tokens that split characters").isPositive();
    }

    private static boolean isWholeUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
