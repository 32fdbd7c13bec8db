package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineStats;
import dev.chatserver.testing.TestEngines;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients that pipeline prompts and never read cannot starve the others: twice as many such clients as slots, beside
 * two good clients, and the good clients' answers take no longer than alone (within 1.5×), on the default paced
 * server.
 */
class ChatServerSlowReaderTest {

    private static final int SLOTS = 4;
    private static final int NON_READERS = 8;

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void clientsThatNeverReadLeaveTheSlotsToClientsThatDo(ConnectionMode mode) throws Exception {
        ServerLimits limits = ServerLimits.DEFAULTS.withSendBufferBytes(1024).withOutboundBytes(1024)
                .withWriteTimeout(Duration.ofMinutes(10));
        try (ChatEngine engine = TestEngines.start(SLOTS, b -> b.maxTokens(128).contextPerSession(512)
                     .pausedReplyGrace(Duration.ofMillis(200)));
             // Paced, as by default: the pacer's bound holds back a client that does not read as the socket does.
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode).limits(limits).start();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            String expected = TestEngines.direct(engine, "Hello").getFirst();
            long alone = bestOf(5, () -> goodClients(server, threads, expected));

            List<Socket> deaf = new ArrayList<>();
            try {
                for (int i = 0; i < NON_READERS; i++) {
                    Socket socket = SlowReaders.connect(server.port());
                    deaf.add(socket);
                    SlowReaders.pipeline(socket, 64);
                }
                // Each non-reader's answer fills its socket, then its reply buffer, then leaves its slot (or the
                // answer is complete, and its end waits to be written).
                try {
                    TestEngines.eventually("every non-reader's reply left its slot", () -> {
                        EngineStats stats = engine.stats();
                        return stats.openSessions() == NON_READERS && stats.activeReplies() == 0
                                && stats.queuedReplies() == 0;
                    });
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; the engine has " + engine.stats(), e);
                }
                // Then their caches go too (ten graces later): kept, every step of the others would attend over
                // them (with the story model, two of about 450 tokens made short answers take 1.5 times as long).
                TestEngines.eventually("the non-readers' caches were evicted", () -> engine.stats().kvCellsInUse() == 0);
                // The best of seven: now and then a non-reader's TCP window opens a little (the kernel compacts its
                // receive queue), its reply resumes for a moment and decodes its history again beside the others.
                long beside = bestOf(7, () -> goodClients(server, threads, expected));
                System.out.printf("ChatServerSlowReaderTest %s: good clients alone %d ms, beside %d non-readers %d ms%n",
                        mode, alone / 1_000_000, NON_READERS, beside / 1_000_000);
                // Starved, they waited for the non-readers' whole answers (3 to 4 times as long); 10 ms for the
                // scheduler's noise on a busy machine.
                assertThat((double) beside).as("good clients' time beside non-readers vs alone (ns)")
                        .isLessThanOrEqualTo(1.5 * alone + 10_000_000);
                TestEngines.eventually("only the non-readers are still connected",
                        () -> server.connections() == NON_READERS);
            } finally {
                for (Socket socket : deaf) socket.close();
            }
        }
    }

    /** @return the nanoseconds until both good clients, asking at once on fresh connections, had their answers */
    private static long goodClients(ChatServer server, ExecutorService threads, String expected) throws Exception {
        long start = System.nanoTime();
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            answers.add(threads.submit(() -> {
                try (WireClient client = new WireClient(server.port())) {
                    return client.ask("Hello").ok().text();
                }
            }));
        }
        for (Future<String> answer : answers) assertThat(answer.get()).isEqualTo(expected);
        return System.nanoTime() - start;
    }

    /** @return the shortest of some timed runs: the machine may be busy with other work during any one */
    private static long bestOf(int runs, Callable<Long> run) throws Exception {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) best = Math.min(best, run.call());
        return best;
    }
}
