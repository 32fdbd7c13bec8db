package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.llama.ChatMessage;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.testing.Transcript;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stateless requests ({@link ChatEngine#complete}) and their prompt cache: a conversation replayed turn by turn
 * decodes only each new turn, interleaved conversations keep their caches while slots allow, and every answer is bit
 * for bit that of a cold request. JUnit thread only.
 */
class StatelessCacheTest {

    private static final int TURNS = 10;
    /** Turns that fit the story model's 512-token training context (its tokenizer spells the ChatML markup). */
    private static final int STORY_TURNS = 6;

    private static int turns(Path model) {
        return model.getFileName().toString().equals(TestModels.STORIES) ? STORY_TURNS : TURNS;
    }

    static Stream<Path> models() {
        return Stream.concat(Stream.of(TestModels.tiny()), TestModels.stories().stream());
    }

    /** One stateless answer with what the engine reported, and the engine thread's CPU time for it. */
    private record Result(String text, Completion completion, long digest, long cpuNanos) {
        ReplyStats stats() {
            return completion.stats();
        }
    }

    private static Result complete(ChatEngine engine, List<ChatMessage> messages, RequestOptions options) {
        Transcript transcript = Transcript.recording();
        long cpu = engineCpuNanos();
        Reply reply = engine.complete(messages, options, transcript);
        Completion completion = TestEngines.await(reply);
        assertThat(completion.isSuccess()).as("%s: %s", completion.reason(), completion.message()).isTrue();
        return new Result(transcript.text(), completion, ((ReplyHandle) reply).logitsDigest(),
                engineCpuNanos() - cpu);
    }

    /**
     * @return the CPU time of the running engine's thread (one at a time here; decoding uses one thread in tests),
     *         which a loaded machine does not inflate as it does wall time
     */
    private static long engineCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("chatserver-engine")) total += Math.max(0, threads.getThreadCpuTime(thread.threadId()));
        }
        return total;
    }

    private static Result complete(ChatEngine engine, List<ChatMessage> messages) {
        return complete(engine, messages, RequestOptions.defaults());
    }

    private static String question(String conversation, int turn) {
        return conversation + ", then " + turn + "?"; // short: ten turns fit the story model's 512 tokens
    }

    @ParameterizedTest
    @MethodSource("models")
    void replayedConversationDecodesOnlyEachNewTurnAndMatchesColdAnswers(Path model) {
        int turns = turns(model);
        List<Result> warm = new ArrayList<>();
        List<List<ChatMessage>> requests = new ArrayList<>();
        try (ChatEngine engine = Engines.startTracing(model, 2, b -> b.contextPerSession(512).maxTokens(10))) {
            List<ChatMessage> history = new ArrayList<>();
            for (int turn = 0; turn < turns; turn++) {
                history.add(new ChatMessage(ChatMessage.USER, question("Tom", turn)));
                requests.add(List.copyOf(history));
                Result result = complete(engine, history);
                warm.add(result);
                history.add(new ChatMessage(ChatMessage.ASSISTANT, result.text()));
            }
        }
        // Cold: one slot, and a foreign request before each, so that every request finds nothing of its own cached.
        List<Result> cold = new ArrayList<>();
        try (ChatEngine engine = Engines.startTracing(model, 1, b -> b.contextPerSession(512).maxTokens(10))) {
            for (List<ChatMessage> request : requests) {
                complete(engine, List.of(new ChatMessage(ChatMessage.SYSTEM, "a foreign conversation"),
                        new ChatMessage(ChatMessage.USER, "x")));
                Result result = complete(engine, request);
                assertThat(result.stats().cachedTokens()).as("cold request").isLessThan(8);
                cold.add(result);
            }
        }
        for (int turn = 0; turn < turns; turn++) {
            Result w = warm.get(turn);
            Result c = cold.get(turn);
            assertThat(w.text() + " #" + Long.toHexString(w.digest()))
                    .as("turn %d: cached answer equals the cold one, logits included", turn)
                    .isEqualTo(c.text() + " #" + Long.toHexString(c.digest()));
            int prompt = c.stats().promptTokens() + c.stats().cachedTokens();
            assertThat(w.stats().promptTokens() + w.stats().cachedTokens()).isEqualTo(prompt);
            if (turn == 0) continue;
            ReplyStats previous = warm.get(turn - 1).stats();
            int previousPrompt = previous.promptTokens() + previous.cachedTokens();
            // The previous answer's last token is cached only when it was decoded: after an end-of-generation token
            // (not kept), not after the token limit (sampled, never decoded).
            int previousAnswer = warm.get(turn - 1).completion().reason() == FinishReason.END
                    ? previous.generatedTokens() : previous.generatedTokens() - 1;
            System.out.printf("turn %d: prompt %d, cached %d, decoded %d, ttft %d ms, engine CPU %.1f ms"
                            + " (cold: ttft %d ms, CPU %.1f ms)%n", turn, prompt, w.stats().cachedTokens(),
                    w.stats().promptTokens(), w.stats().timeToFirstToken().toMillis(), w.cpuNanos() / 1e6,
                    c.stats().timeToFirstToken().toMillis(), c.cpuNanos() / 1e6);
            // The answer's text, tokenized again with the whole conversation, may not give back the sampled tokens:
            // the cache then ends where they differ. Either way the new turn's decode is small.
            assertThat(w.stats().cachedTokens()).as("turn %d cached", turn)
                    .isLessThanOrEqualTo(previousPrompt + previousAnswer)
                    .isGreaterThanOrEqualTo(previousPrompt - 1);
            assertThat(w.stats().promptTokens()).as("turn %d decoded", turn)
                    .isLessThan(prompt - previousPrompt + 2);
        }
        // The last turn, cached, costs the engine a fraction of the same request cold (CPU time: a loaded machine
        // stretches wall time, not this); only the growing attention span is left of the history's cost.
        assertThat(2 * warm.getLast().cpuNanos()).as("engine CPU of the last turn, cached ×2 vs cold")
                .isLessThan(cold.getLast().cpuNanos());
    }

    @Test
    void storyModelCachesThePreviousPromptAndAnswerExactly() {
        Path model = TestModels.storiesOrSkip();
        try (ChatEngine engine = TestEngines.start(model, 2, b -> b.contextPerSession(512).maxTokens(10))) {
            List<ChatMessage> history = new ArrayList<>();
            ReplyStats previous = null;
            FinishReason previousReason = null;
            for (int turn = 0; turn < STORY_TURNS; turn++) {
                history.add(new ChatMessage(ChatMessage.USER, question("Lily", turn)));
                Result result = complete(engine, history);
                if (previous != null) {
                    int answer = previousReason == FinishReason.END
                            ? previous.generatedTokens() : previous.generatedTokens() - 1;
                    assertThat(result.stats().cachedTokens()).as("turn %d", turn)
                            .isEqualTo(previous.promptTokens() + previous.cachedTokens() + answer);
                }
                previous = result.stats();
                previousReason = result.completion().reason();
                history.add(new ChatMessage(ChatMessage.ASSISTANT, result.text()));
            }
        }
    }

    @Test
    void interleavedConversationsKeepBothCachesWhileSlotsAllow() {
        try (ChatEngine engine = TestEngines.start(TestModels.tiny(), 2, b -> b.contextPerSession(1024).maxTokens(8))) {
            List<ChatMessage> a = new ArrayList<>(List.of(new ChatMessage(ChatMessage.SYSTEM, "be brief")));
            List<ChatMessage> b = new ArrayList<>(List.of(new ChatMessage(ChatMessage.SYSTEM, "be brief")));
            int[] previousA = {0};
            int[] previousB = {0};
            for (int turn = 0; turn < 4; turn++) {
                for (List<ChatMessage> history : List.of(a, b)) {
                    int[] previous = history == a ? previousA : previousB;
                    history.add(new ChatMessage(ChatMessage.USER, question(history == a ? "Ann" : "Bob", turn)));
                    Result result = complete(engine, history);
                    if (turn > 0) {
                        assertThat(result.stats().cachedTokens()).as("turn %d of %s", turn, history == a ? "A" : "B")
                                .isGreaterThanOrEqualTo(previous[0]);
                    }
                    previous[0] = result.stats().promptTokens() + result.stats().cachedTokens();
                    history.add(new ChatMessage(ChatMessage.ASSISTANT, result.text()));
                }
            }
        }
    }

    @Test
    void beyondTheSlotsTheLeastRecentlyUsedCacheIsEvicted() {
        try (ChatEngine engine = TestEngines.start(TestModels.tiny(), 2, b -> b.contextPerSession(512).maxTokens(6));
             ChatSession session = engine.openSession()) {
            List<ChatMessage> a = List.of(new ChatMessage(ChatMessage.USER, "Ann asks about apples"));
            List<ChatMessage> b = List.of(new ChatMessage(ChatMessage.USER, "Bob asks about boats"));
            Result a1 = complete(engine, a);
            complete(engine, b);
            assertThat(complete(engine, a).stats().cachedTokens()).as("A again, cached")
                    .isEqualTo(a1.stats().promptTokens() + a1.stats().cachedTokens() - 1);
            // A session needs a slot: B's cache is the least recently used, and goes.
            Engines.ask(session, "Carol asks about cats");
            assertThat(complete(engine, a).stats().cachedTokens()).as("A kept its cache").isGreaterThan(8);
            assertThat(complete(engine, b).stats().cachedTokens()).as("B was evicted").isLessThan(8);
        }
    }

    @Test
    void samplingIsPerRequestAndReproducibleWithASeed() {
        Path model = TestModels.stories().orElseGet(TestModels::tiny);
        try (ChatEngine engine = TestEngines.start(model, 2, b -> b.maxTokens(24))) {
            List<ChatMessage> messages = List.of(new ChatMessage(ChatMessage.USER, "Once upon a time"));
            RequestOptions seeded = new RequestOptions(24, Optional.of(new Sampling(1.5f, 0, 1, 0, 42)), 0, 0);
            String first = complete(engine, messages, seeded).text();
            String greedy = complete(engine, messages).text();
            assertThat(complete(engine, messages, seeded).text()).isEqualTo(first);
            assertThat(complete(engine, messages).text()).isEqualTo(greedy);
            RequestOptions penalized = new RequestOptions(24, Optional.empty(), 2, 2);
            assertThat(complete(engine, messages, penalized).text()).isNotEqualTo(greedy);
            Result shortAnswer = complete(engine, messages, new RequestOptions(3, Optional.empty(), 0, 0));
            assertThat(shortAnswer.stats().generatedTokens()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void aConversationThatLeavesNoRoomForAnAnswerIsRefused() throws Exception {
        try (ChatEngine engine = TestEngines.start(TestModels.tiny(), 1, b -> b.contextPerSession(64))) {
            Transcript transcript = Transcript.recording();
            Completion completion = TestEngines.await(engine.complete(
                    List.of(new ChatMessage(ChatMessage.USER, "word ".repeat(200))), RequestOptions.defaults(),
                    transcript));
            assertThat(completion.reason()).isEqualTo(FinishReason.CONTEXT_FULL);
            assertThat(completion.message()).contains("64 tokens");
        }
    }
}
