package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.testing.Transcript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A reply whose listener stops taking text gives its slot to waiting work after the grace, and its answer, resumed
 * once the listener takes text again, is the uninterrupted answer bit for bit (text and the logits behind it).
 */
class SuspensionTest {

    private static final String STALLED = "Tell me a short story.";
    private static final String WAITING = "Hello! Who are you?";
    private static final Sampling TEMPERATURE = new Sampling(0.9f, 40, 0.95f, 0.05f, 1234);

    static Stream<Arguments> modelsAndSamplings() {
        List<Path> models = new ArrayList<>(List.of(TestModels.tiny()));
        TestModels.stories().ifPresentOrElse(models::add,
                () -> System.out.println("SuspensionTest: " + TestModels.STORIES + " not found, synthetic model only"));
        return models.stream().flatMap(m -> Stream.of(Arguments.of(m, Sampling.greedy()), Arguments.of(m, TEMPERATURE)));
    }

    private static ChatEngine engine(Path model, Sampling sampling) {
        UnaryOperator<EngineConfig.Builder> adjust = c -> c.parallel(1).maxTokens(64).contextPerSession(1024)
                .bufferPieces(2).sampling(sampling);
        return Engines.startTracing(model, 1, adjust);
    }

    private static String outcome(Transcript transcript, Completion completion, Reply reply) {
        return transcript.pieces + " " + completion.reason() + " #" + Long.toHexString(((ReplyHandle) reply).logitsDigest());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndSamplings")
    void aStalledReplyLetsWaitingWorkThroughAndResumesWithTheSameAnswer(Path model, Sampling sampling) {
        String expectedStalled;
        String expectedWaiting;
        try (ChatEngine engine = engine(model, sampling); ChatSession a = engine.openSession();
             ChatSession b = engine.openSession()) {
            expectedStalled = ask(a, STALLED);
            expectedWaiting = ask(b, WAITING);
        }
        try (ChatEngine engine = engine(model, sampling); ChatSession a = engine.openSession();
             ChatSession b = engine.openSession()) {
            Transcript stalled = Transcript.blocking();
            Reply stalledReply = a.send(STALLED, stalled);
            stalled.awaitFirstPiece();
            // One slot, held by a reply whose listener takes nothing: the waiting reply gets it after the grace.
            Transcript waiting = Transcript.recording();
            Reply waitingReply = b.send(WAITING, waiting);
            Completion waitingDone = TestEngines.await(waitingReply);
            assertThat(stalledReply.await(Duration.ZERO)).as("the stalled reply is still open").isEmpty();
            // The stats are a snapshot of the engine's last pass: it may not be published yet.
            TestEngines.eventually("the stalled reply holds no slot", () -> engine.stats().activeReplies() == 0);
            stalled.release();
            Completion stalledDone = TestEngines.await(stalledReply);
            assertThat(outcome(waiting, waitingDone, waitingReply)).isEqualTo(expectedWaiting);
            assertThat(outcome(stalled, stalledDone, stalledReply)).isEqualTo(expectedStalled);
            assertThat(stalledDone.stats().generatedTokens()).isGreaterThan(8);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndSamplings")
    void aStalledReplyAloneLeavesItsSlotAndResumesFromItsCache(Path model, Sampling sampling)
            throws InterruptedException {
        String expected;
        try (ChatEngine engine = engine(model, sampling); ChatSession a = engine.openSession()) {
            expected = ask(a, STALLED);
        }
        try (ChatEngine engine = engine(model, sampling); ChatSession a = engine.openSession()) {
            Transcript stalled = Transcript.blocking();
            Reply reply = a.send(STALLED, stalled);
            stalled.awaitFirstPiece();
            // Nothing waits: after the grace the reply still leaves its slot, whose cache it finds again.
            TestEngines.eventually("the stalled reply holds its slot", () -> engine.stats().activeReplies() == 1);
            TestEngines.eventually("the stalled reply left its slot", () -> engine.stats().activeReplies() == 0);
            assertThat(reply.await(Duration.ZERO)).as("the stalled reply is still open").isEmpty();
            assertThat(engine.stats().kvCellsInUse()).as("its cache stays").isPositive();
            stalled.release();
            assertThat(outcome(stalled, TestEngines.await(reply), reply)).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndSamplings")
    void aClientThatStopsReadingAFinishedAnswerLosesItsCacheNotItsAnswers(Path model, Sampling sampling)
            throws InterruptedException {
        // A buffer that holds the whole answer: the engine finishes it while the listener has taken one piece.
        UnaryOperator<EngineConfig.Builder> adjust = c -> c.maxTokens(64).contextPerSession(1024)
                .bufferPieces(256).sampling(sampling).pausedReplyGrace(Duration.ofMillis(100));
        List<String> expected;
        try (ChatEngine engine = Engines.startTracing(model, 2, adjust); ChatSession a = engine.openSession()) {
            expected = List.of(ask(a, STALLED), ask(a, WAITING));
        }
        try (ChatEngine engine = Engines.startTracing(model, 2, adjust); ChatSession a = engine.openSession()) {
            Transcript stalled = Transcript.blocking();
            Reply reply = a.send(STALLED, stalled);
            stalled.awaitFirstPiece();
            // Its cache would make every other session's attention longer: it goes after ten graces, not at once.
            TestEngines.eventually("the engine finished the answer and kept its cache", () -> {
                EngineStats stats = engine.stats();
                return stats.activeReplies() == 0 && stats.kvCellsInUse() > 0;
            });
            assertThat(reply.await(Duration.ZERO)).as("its listener has not taken it").isEmpty();
            TestEngines.eventually("the stalled client's cache was evicted", () -> engine.stats().kvCellsInUse() == 0);
            stalled.release();
            assertThat(List.of(outcome(stalled, TestEngines.await(reply), reply), ask(a, WAITING)))
                    .as("the answers, the second decoded from the history again").isEqualTo(expected);
        }
    }

    private static String ask(ChatSession session, String text) {
        Transcript transcript = Transcript.recording();
        Reply reply = session.send(text, transcript);
        return outcome(transcript, TestEngines.await(reply), reply);
    }
}
