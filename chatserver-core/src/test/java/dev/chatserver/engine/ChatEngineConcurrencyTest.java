package dev.chatserver.engine;

import static dev.chatserver.engine.Engines.ask;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.testing.Transcript;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many sessions at once: every session gets exactly its solo answer, and batching pays. Engines here digest the
 * logits behind every token, so "the same answer" means the same text from bit-identical logits.
 */
class ChatEngineConcurrencyTest {

    private static final List<String> MESSAGES = List.of("Hello! Who are you?", "Tell me a short story.");

    /** @return the answers (text and logits digest) of one session that has the engine to itself */
    private static List<String> solo(Path model, List<String> messages) {
        try (ChatEngine engine = Engines.startTracing(model, 1, c -> c)) {
            ChatSession session = engine.openSession();
            return messages.stream().map(m -> ask(session, m).textAndLogits()).toList();
        }
    }

    /** Runs each conversation on its own virtual thread, all at once, and returns their answers. */
    private static List<List<String>> concurrently(ChatEngine engine, List<List<String>> conversations)
            throws Exception {
        List<Callable<List<String>>> tasks = new ArrayList<>();
        for (List<String> conversation : conversations) {
            tasks.add(() -> {
                ChatSession session = engine.openSession();
                return conversation.stream().map(m -> ask(session, m).textAndLogits()).toList();
            });
        }
        List<List<String>> answers = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<List<String>> future : executor.invokeAll(tasks)) answers.add(future.get());
        }
        return answers;
    }

    /** Each tensor type of the tiny model with parallel 1, 2 and 4. */
    static Stream<Arguments> typesAndParallel() {
        return Engines.tinyInEveryType().stream()
                .flatMap(model -> Stream.of(1, 2, 4).map(parallel -> Arguments.of(model, parallel)));
    }

    /** Each tensor type of the tiny model with parallel 2 and 4. */
    static Stream<Arguments> typesAndParallelAboveOne() {
        return typesAndParallel().filter(arguments -> (int) arguments.get()[1] > 1);
    }

    @ParameterizedTest(name = "{0}, parallel {1}")
    @MethodSource("typesAndParallel")
    void tenSessionsSendingTheSameMessagesEachGetTheSoloTranscript(Path model, int parallel) throws Exception {
        sameTranscripts(model, parallel);
    }

    @Test
    void tenSessionsGetTheSoloTranscriptOnStories() throws Exception {
        sameTranscripts(TestModels.storiesOrSkip(), 4);
    }

    private static void sameTranscripts(Path model, int parallel) throws Exception {
        List<String> expected = solo(model, MESSAGES);
        try (ChatEngine engine = Engines.startTracing(model, parallel, c -> c)) {
            List<List<String>> answers = concurrently(engine, java.util.Collections.nCopies(10, MESSAGES));
            assertThat(answers).hasSize(10).allSatisfy(answer -> assertThat(answer).isEqualTo(expected));
        }
    }

    @ParameterizedTest(name = "{0}, parallel {1}")
    @MethodSource("typesAndParallelAboveOne")
    void anAnswerDoesNotDependOnWhatOtherSessionsDo(Path model, int parallel) throws Exception {
        answerIndependentOfNeighbours(model, parallel);
    }

    @Test
    void anAnswerDoesNotDependOnWhatOtherSessionsDoOnStories() throws Exception {
        answerIndependentOfNeighbours(TestModels.storiesOrSkip(), 4);
    }

    /**
     * The same conversation alone and next to sessions with other conversations of other lengths (so that the
     * batches mix prompt chunks and generation, and the sequences' cache cells interleave differently).
     */
    private static void answerIndependentOfNeighbours(Path model, int parallel) throws Exception {
        List<String> watched = List.of("Where do whales sleep?", "Why is that?");
        List<String> expected = solo(model, watched);
        List<List<String>> conversations = new ArrayList<>();
        conversations.add(watched);
        for (int i = 1; i < 2 * parallel; i++) {
            conversations.add(List.of("Neighbour " + i + " says: " + "blah ".repeat(i * 7), "More from " + i));
        }
        try (ChatEngine engine = Engines.startTracing(model, parallel, c -> c.batchSize(16))) {
            List<List<String>> answers = concurrently(engine, conversations);
            assertThat(answers.getFirst()).isEqualTo(expected);
        }
    }

    /**
     * Neighbours that are cancelled or closed while the watched session talks leave free cells in the cache below
     * the watched session's cells; its answers must not change.
     */
    /** The stories model (or the tiny one when it is absent) and the tiny Q8_0 one, which needs no padding row. */
    static Stream<Arguments> modelsAndParallelAboveOne() {
        Path plain = TestModels.stories().orElseGet(TestModels::tiny);
        return Stream.of(plain, Engines.tinyOfType(GgmlType.Q8_0))
                .flatMap(model -> Stream.of(2, 4).map(parallel -> Arguments.of(model, parallel)));
    }

    @ParameterizedTest(name = "{0}, parallel {1}")
    @MethodSource("modelsAndParallelAboveOne")
    void anAnswerDoesNotChangeWhenNeighboursAreCancelledOrClosed(Path model, int parallel) throws Exception {
        List<String> watched = List.of("Once upon a time", "The little dog", "They played");
        List<String> expected = solo(model, watched);
        try (ChatEngine engine = Engines.startTracing(model, parallel, c -> c.bufferPieces(1))) {
            List<Transcript> neighbours = new ArrayList<>();
            List<Reply> neighbourReplies = new ArrayList<>();
            List<ChatSession> neighbourSessions = new ArrayList<>();
            for (int i = 0; i < parallel - 1; i++) {
                ChatSession session = engine.openSession();
                Transcript blocked = Transcript.blocking(); // paused after its first piece, holding cells
                neighbourSessions.add(session);
                neighbours.add(blocked);
                neighbourReplies.add(session.send("Neighbour " + i + " has a long story to tell about a cat", blocked));
                blocked.awaitFirstPiece();
            }
            ChatSession session = engine.openSession();
            List<String> answers = new ArrayList<>();
            for (int turn = 0; turn < watched.size(); turn++) {
                Transcript transcript = Transcript.recording();
                Reply reply = session.send(watched.get(turn), transcript);
                // While the watched reply runs, free the cells of a neighbour (first cancel, then close).
                if (turn < neighbourReplies.size()) neighbourReplies.get(turn).cancel();
                if (turn + 1 < neighbourSessions.size()) neighbourSessions.get(turn + 1).close();
                assertThat(TestEngines.await(reply).isSuccess()).isTrue();
                answers.add(new Engines.Answer(transcript.text(), null, (ReplyHandle) reply).textAndLogits());
            }
            neighbours.forEach(Transcript::release);
            assertThat(answers).isEqualTo(expected);
        }
    }

    /**
     * Measured on a synthetic model somewhat wider than the tiny one (embedding 256, about 7 MB): on the tiny model
     * a decode step costs little more than its fixed overhead, which hides what batching saves. With one decode
     * thread the engine thread does all the decoding, so tokens per second of its CPU time is what the engine gets
     * out of a core; unlike wall-clock time, it does not change when other work on a busy machine takes the core
     * away now and then. Both are printed; the CPU-time figure is asserted, best of a few alternating rounds.
     */
    @Test
    void fourSessionsProduceMoreTokensPerSecondThanOne() throws Exception {
        Path model = TestModels.synthetic(SyntheticModel.builder().embd(256).feedForward(768).build());
        Set<Thread> before = engineThreads();
        try (ChatEngine engine = TestEngines.start(model, 4, c -> c.maxTokens(48).threads(1))) {
            Set<Thread> started = engineThreads();
            started.removeAll(before);
            assertThat(started).as("the engine's own thread").hasSize(1);
            Thread engineThread = started.iterator().next();
            concurrently(engine, List.of(List.of("warm up")));
            Throughput one = Throughput.NONE;
            Throughput four = Throughput.NONE;
            for (int round = 0; round < 3; round++) {
                one = one.best(throughput(engine, engineThread, 1));
                four = four.best(throughput(engine, engineThread, 4));
            }
            System.out.printf("throughput, tokens/s (best of 3 rounds): 1 session %.0f (of engine CPU time %.0f),"
                    + " 4 sessions %.0f (%.0f); ratio %.2f (%.2f)%n", one.wall(), one.cpu(), four.wall(), four.cpu(),
                    four.wall() / one.wall(), four.cpu() / one.cpu());
            assertThat(four.cpu() / one.cpu()).isGreaterThan(1);
        }
    }

    /** Tokens per second of wall-clock time and of the engine thread's CPU time. */
    private record Throughput(double wall, double cpu) {
        static final Throughput NONE = new Throughput(0, 0);

        Throughput best(Throughput other) {
            return new Throughput(Math.max(wall, other.wall), Math.max(cpu, other.cpu));
        }
    }

    private static Set<Thread> engineThreads() {
        Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
        threads.removeIf(thread -> !thread.getName().equals("chatserver-engine"));
        return threads;
    }

    /** Tokens generated by {@code sessions} sessions each sending three messages at once, per second. */
    private static Throughput throughput(ChatEngine engine, Thread engineThread, int sessions) throws Exception {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long cpuStart = cpu.getThreadCpuTime(engineThread.threadId());
        long start = System.nanoTime();
        int tokens = generate(engine, sessions);
        long wallNanos = System.nanoTime() - start;
        long cpuNanos = cpu.getThreadCpuTime(engineThread.threadId()) - cpuStart;
        assertThat(cpuStart).as("thread CPU time is measurable here").isNotNegative();
        return new Throughput(tokens * 1e9 / wallNanos, tokens * 1e9 / cpuNanos);
    }

    /** @return tokens generated by {@code sessions} sessions each sending three messages at once */
    private static int generate(ChatEngine engine, int sessions) throws Exception {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            int id = i;
            tasks.add(() -> {
                ChatSession session = engine.openSession();
                int tokens = 0;
                for (int m = 0; m < 3; m++) {
                    tokens += ask(session, "Session " + id + ", message " + m).stats().generatedTokens();
                }
                session.close();
                return tokens;
            });
        }
        int total = 0;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Integer> future : executor.invokeAll(tasks)) total += future.get();
        }
        return total;
    }
}
