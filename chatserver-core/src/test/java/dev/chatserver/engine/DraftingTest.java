package dev.chatserver.engine;

import static dev.chatserver.engine.Engines.ask;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.testing.TestEngines;
import dev.chatserver.gguf.GgmlType;
import dev.chatserver.testing.TestModels;
import dev.chatserver.testing.Transcript;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EngineConfig#maxDraftTokens()}: drafted tokens in place of the padding row never change an answer. Every
 * comparison is against the same engine with drafting off (plain padding), on tracing engines, so "the same" means
 * the same pieces of text from bit-identical logits. JUnit thread only (and virtual threads it waits for).
 */
class DraftingTest {

    private static final List<String> MESSAGES = List.of("Hello! Who are you?", "Tell me a short story.");
    private static final Sampling TEMPERATURE = new Sampling(0.9f, 40, 0.95f, 0.05f, 1234);

    /** One conversation's outcome: per message, its pieces, reason and logits digest. */
    private static List<String> conversation(ChatEngine engine, List<String> messages) {
        List<String> answers = new ArrayList<>();
        try (ChatSession session = engine.openSession()) {
            for (String message : messages) answers.add(outcome(session, message));
        }
        return answers;
    }

    private static String outcome(ChatSession session, String message) {
        Transcript transcript = Transcript.recording();
        ReplyHandle reply = (ReplyHandle) session.send(message, transcript);
        Completion completion = TestEngines.await(reply);
        assertThat(transcript.completeCalls.get()).isEqualTo(1);
        return transcript.pieces + " " + completion.reason() + " #" + Long.toHexString(reply.logitsDigest());
    }

    private static ChatEngine engine(Path model, int parallel, int drafts, UnaryOperator<EngineConfig.Builder> adjust) {
        return Engines.startTracing(model, parallel, c -> adjust.apply(c).maxDraftTokens(drafts));
    }

    static Stream<Arguments> modelsAndSamplings() {
        List<Path> models = new ArrayList<>(List.of(TestModels.tiny(), Engines.tinyOfType(GgmlType.Q8_0)));
        TestModels.stories().ifPresent(models::add);
        return models.stream().flatMap(m -> Stream.of(Arguments.of(m, Sampling.greedy()), Arguments.of(m, TEMPERATURE)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modelsAndSamplings")
    void aLoneSessionAnswersExactlyAsWithoutDrafting(Path model, Sampling sampling) {
        UnaryOperator<EngineConfig.Builder> adjust = c -> c.sampling(sampling).maxTokens(64);
        List<String> expected;
        try (ChatEngine plain = engine(model, 1, 0, adjust)) {
            expected = conversation(plain, MESSAGES);
        }
        for (int drafts : new int[] {1, 3, 8}) {
            try (ChatEngine drafting = engine(model, 1, drafts, adjust)) {
                assertThat(conversation(drafting, MESSAGES)).as("%d drafts", drafts).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsOfEveryPath")
    void sessionsAmongOthersAnswerExactlyAsALoneSessionWithoutDrafting(Path model) throws Exception {
        List<String> expected;
        try (ChatEngine plain = engine(model, 1, 0, c -> c.maxTokens(48))) {
            expected = conversation(plain, MESSAGES);
        }
        try (ChatEngine drafting = engine(model, 4, 8, c -> c.maxTokens(48))) {
            List<Callable<List<String>>> tasks = new ArrayList<>();
            for (int i = 0; i < 6; i++) tasks.add(() -> conversation(drafting, MESSAGES));
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Future<List<String>> answers : executor.invokeAll(tasks)) {
                    assertThat(answers.get()).isEqualTo(expected);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsOfEveryPath")
    void draftsNextToAPromptBeingDecodedAndAPausedNeighbourChangeNothing(Path model) {
        // A generates; B's prompt joins A's batches (with A's drafts when A was generating alone); B's blocked
        // listener then pauses B, and A drafts alone beside it.
        UnaryOperator<EngineConfig.Builder> adjust = c -> c.maxTokens(160).contextPerSession(1024).bufferPieces(4);
        String expectedA;
        String expectedB;
        try (ChatEngine plain = engine(model, 1, 0, adjust)) {
            expectedA = conversation(plain, List.of(MESSAGES.get(1))).getFirst();
            expectedB = conversation(plain, List.of(MESSAGES.get(0))).getFirst();
        }
        try (ChatEngine drafting = engine(model, 2, 8, adjust);
             ChatSession a = drafting.openSession(); ChatSession b = drafting.openSession()) {
            Transcript recording = Transcript.recording();
            ReplyHandle replyA = (ReplyHandle) a.send(MESSAGES.get(1), recording);
            recording.awaitFirstPiece();
            Transcript blocked = Transcript.blocking();
            ReplyHandle replyB = (ReplyHandle) b.send(MESSAGES.get(0), blocked);
            blocked.awaitFirstPiece();
            Completion completionA = TestEngines.await(replyA);
            blocked.release();
            Completion completionB = TestEngines.await(replyB);
            assertThat(recording.pieces + " " + completionA.reason() + " #" + Long.toHexString(replyA.logitsDigest()))
                    .isEqualTo(expectedA);
            assertThat(blocked.pieces + " " + completionB.reason() + " #" + Long.toHexString(replyB.logitsDigest()))
                    .isEqualTo(expectedB);
            assertThat(completionA.stats().draftedTokens()).isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsOfEveryPath")
    void anEvictedSessionDecodedAgainAnswersExactlyAsWithoutDrafting(Path model) {
        List<List<String>> expected = evictionScenario(model, 0);
        assertThat(evictionScenario(model, 8)).isEqualTo(expected);
    }

    /** @return A's two answers and B's answer, where B takes the only slot between A's two messages */
    private static List<List<String>> evictionScenario(Path model, int drafts) {
        try (ChatEngine engine = engine(model, 1, drafts, c -> c.maxTokens(48));
             ChatSession a = engine.openSession(); ChatSession b = engine.openSession()) {
            String first = outcome(a, MESSAGES.get(0));
            String other = outcome(b, MESSAGES.get(1));
            String second = outcome(a, MESSAGES.get(1));
            return List.of(List.of(first, second), List.of(other));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void answersCutByTheTokenBudgetOrTheWindowEndExactlyAsWithoutDrafting(Path model) {
        int accepted = 0;
        for (int maxTokens = 1; maxTokens <= 40; maxTokens += 3) {
            int budget = maxTokens;
            UnaryOperator<EngineConfig.Builder> adjust = c -> c.maxTokens(budget);
            accepted += compareOneReply(model, adjust, "max tokens " + budget).acceptedDrafts();
        }
        // The window: a prompt may fill up to 3/4 of it (a quarter is kept for the answer); the rest is the budget.
        int promptTokens = compareOneReply(model, c -> c.contextPerSession(1024), "prompt").promptTokens();
        for (int window = promptTokens * 4 / 3 + 1; window <= promptTokens * 4 / 3 + 25; window += 6) {
            int ctx = window;
            accepted += compareOneReply(model, c -> c.contextPerSession(ctx).maxTokens(1024), "window " + ctx)
                    .acceptedDrafts();
        }
        assertThat(accepted).as("drafts confirmed over all those replies").isPositive();
    }

    /** Compares one reply with and without drafting; @return its stats with drafting */
    private static ReplyStats compareOneReply(Path model, UnaryOperator<EngineConfig.Builder> adjust, String what) {
        String prompt = "abc abc abc abc"; // on the tiny model: drafts confirmed within the first 40 tokens
        String expected;
        try (ChatEngine plain = engine(model, 1, 0, adjust); ChatSession session = plain.openSession()) {
            expected = outcome(session, prompt);
        }
        try (ChatEngine drafting = engine(model, 1, 8, adjust); ChatSession session = drafting.openSession()) {
            Transcript transcript = Transcript.recording();
            ReplyHandle reply = (ReplyHandle) session.send(prompt, transcript);
            Completion completion = TestEngines.await(reply);
            assertThat(transcript.pieces + " " + completion.reason() + " #" + Long.toHexString(reply.logitsDigest()))
                    .as(what).isEqualTo(expected);
            assertThat(completion.reason()).as(what).isEqualTo(FinishReason.MAX_TOKENS);
            return completion.stats();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsOfEveryPath")
    void aReplyCancelledWhileDraftingLeavesACacheThatAnswersExactlyAsWithoutDrafting(Path model)
            throws InterruptedException {
        assertThat(cancelScenario(model, 8)).isEqualTo(cancelScenario(model, 0));
    }

    /** A reply paused by its blocked listener is cancelled; @return the session's next answer */
    private static String cancelScenario(Path model, int drafts) throws InterruptedException {
        try (ChatEngine engine = engine(model, 1, drafts, c -> c.maxTokens(64).bufferPieces(4));
             ChatSession session = engine.openSession()) {
            Transcript blocked = Transcript.blocking();
            ReplyHandle reply = (ReplyHandle) session.send(MESSAGES.get(1), blocked);
            blocked.awaitFirstPiece();
            // Paused: the buffer is full and the engine never overfills it, however many drafts it confirms.
            TestEngines.eventually("the reply's buffer is full", () -> reply.channel().room() == 0);
            reply.cancel();
            blocked.release();
            assertThat(TestEngines.await(reply).reason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(reply.channel().room()).isNotNegative();
            return outcome(session, MESSAGES.get(0));
        }
    }

    static Stream<Path> models() {
        List<Path> models = new ArrayList<>(List.of(TestModels.tiny()));
        TestModels.stories().ifPresent(models::add);
        return models.stream();
    }

    /** {@link #models()} and the tiny model in Q8_0, whose one-row steps are not padded (no row to draft in place of). */
    static Stream<Path> modelsOfEveryPath() {
        return Stream.concat(models(), Stream.of(Engines.tinyOfType(GgmlType.Q8_0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void guessesThatComeTrueAreCountedAndSaveSteps(Path model) {
        try (ChatEngine drafting = engine(model, 1, 8, c -> c.maxTokens(200).contextPerSession(1024));
             ChatSession session = drafting.openSession()) {
            ReplyStats stats = ask(session, "Tell me a story about a little robot who learns to paint.").stats();
            System.out.printf("drafting, %s: %d tokens, %d drafted, %d confirmed%n", model.getFileName(),
                    stats.generatedTokens(), stats.draftedTokens(), stats.acceptedDrafts());
            assertThat(stats.draftedTokens()).isPositive();
            assertThat(stats.acceptedDrafts()).isPositive().isLessThanOrEqualTo(stats.draftedTokens());
        }
        try (ChatEngine plain = engine(model, 1, 0, c -> c.maxTokens(200).contextPerSession(1024));
             ChatSession session = plain.openSession()) {
            ReplyStats stats = ask(session, "Tell me a story about a little robot who learns to paint.").stats();
            assertThat(stats.draftedTokens()).isZero();
            assertThat(stats.acceptedDrafts()).isZero();
        }
    }

    @Test
    void theStoriesModelIsCoveredWhenPresent() {
        // The parameterized tests above run on it only when it exists; this test shows visibly when it does not.
        assertThat(TestModels.storiesOrSkip()).exists();
    }

    @Test
    void draftingIsOffByDefaultAndBounded() {
        EngineConfig config = EngineConfig.builder(Path.of("model.gguf")).build();
        assertThat(config.maxDraftTokens()).isEqualTo(EngineConfig.DEFAULT_MAX_DRAFT_TOKENS).isZero();
        assertThat(EngineConfig.builder(Path.of("model.gguf")).maxDraftTokens(8).build().maxDraftTokens()).isEqualTo(8);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> EngineConfig.builder(Path.of("model.gguf")).maxDraftTokens(-1).build());
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> EngineConfig.builder(Path.of("model.gguf")).batchSize(8).maxDraftTokens(9).build());
    }
}
