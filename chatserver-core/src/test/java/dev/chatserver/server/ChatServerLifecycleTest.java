package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.SlotHolder;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.engine.EngineStats;
import dev.chatserver.protocol.ClientMessage;
import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients that leave, cancel or idle, and shutdown with answers in flight, in every connection mode. A
 * {@link SlotHolder} keeps the engine's only slot busy so that requests wait in its queue for as long as a test
 * needs, without depending on timing.
 */
class ChatServerLifecycleTest {

    private static ChatEngine oneSlotEngine() {
        return TestEngines.start(1, b -> b.bufferPieces(1).maxQueued(8).pausedReplyGrace(SlotHolder.KEEPS_ITS_SLOT));
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aClientThatLeavesWhileQueuedIsCancelledAtItsFirstFailedWriteAndOthersGoOn(ConnectionMode mode)
            throws IOException {
        try (ChatEngine engine = oneSlotEngine();
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start();
             WireClient stays = new WireClient(server.port())) {
            String hello = TestEngines.direct(engine, "Hello").getFirst();
            try (SlotHolder holder = new SlotHolder(engine)) {
                WireClient leaves = new WireClient(server.port());
                leaves.prompt("Hello");
                TestEngines.eventually("the first prompt waits", () -> engine.stats().queuedReplies() == 1);
                stays.prompt("Hello");
                TestEngines.eventually("both prompts wait", () -> engine.stats().queuedReplies() == 2);
                assertThat(engine.stats().openSessions()).isEqualTo(3);
                // The server sees the end of the leaver's input, as after a half-close: its prompt keeps its place.
                leaves.close();
                assertThat(holder.engine().stats().activeReplies()).isEqualTo(1);
            }
            assertThat(stays.readAnswer().ok().text()).isEqualTo(hello);
            TestEngines.eventually("the leaver's reply is cancelled at its first failed write and its session closed",
                    () -> engine.stats().openSessions() == 1 && engine.stats().activeReplies() == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aClientThatLeavesMidAnswerFreesItsSession(ConnectionMode mode) throws IOException {
        try (ChatEngine engine = TestEngines.start(2, b -> b.maxTokens(400).contextPerSession(1024));
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start();
             WireClient stays = new WireClient(server.port())) {
            String hello = TestEngines.direct(engine, "Hello").getFirst();
            try (WireClient leaves = new WireClient(server.port())) {
                leaves.write("{\"token\":\"Tell me a long story.\",\"eog\":true}");
                stays.prompt("Hello");
                // Leave as soon as the first piece arrives (or the whole answer, on a fast machine).
                leaves.readAnswerPieces(1);
            }
            TestEngines.eventually("the leaver's session is closed", () -> engine.stats().openSessions() == 1);
            assertThat(stays.readAnswer().ok().text()).isEqualTo(hello);
            TestEngines.eventually("no reply is left", () -> engine.stats().activeReplies() == 0);
            stays.close();
            TestEngines.eventually("every session and its KV cache are freed", () -> {
                EngineStats stats = engine.stats();
                return stats.openSessions() == 0 && stats.kvCellsInUse() == 0;
            });
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aClientThatDoesNotReadStallsOnlyItself(ConnectionMode mode) throws IOException {
        try (ChatEngine engine = TestEngines.start(2, b -> b.maxTokens(400).contextPerSession(1024).bufferPieces(4));
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode)
                     .limits(ServerLimits.DEFAULTS.withOutboundBytes(1024)).start();
             Socket deaf = new Socket()) {
            deaf.setReceiveBufferSize(1024);
            deaf.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            deaf.getOutputStream().write("{\"token\":\"Tell me everything.\",\"eog\":true}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            TestEngines.eventually("the deaf client's reply runs", () -> engine.stats().activeReplies() == 1);
            try (WireClient neighbour = new WireClient(server.port())) {
                assertThat(neighbour.ask("Hello").ok().pieces()).isPositive();
            }
            deaf.close();
            TestEngines.eventually("the deaf client's session is freed", () -> engine.stats().openSessions() == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void cancelEndsTheAnswerAndTheConnectionGoesOn(ConnectionMode mode) throws IOException {
        try (ChatEngine engine = oneSlotEngine();
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start();
             WireClient client = new WireClient(server.port())) {
            try (SlotHolder holder = new SlotHolder(engine)) {
                client.prompt("Hello");
                TestEngines.eventually("the prompt waits", () -> engine.stats().queuedReplies() == 1);
                client.send(new ClientMessage.Cancel());
                WireClient.Answer cancelled = client.readAnswer().ok();
                assertThat(cancelled.pieces()).isZero();
                TestEngines.eventually("the reply left the queue", () -> holder.engine().stats().queuedReplies() == 0);
            }
            assertThat(client.ask("Hello").ok().pieces()).isPositive();
            client.send(new ClientMessage.Cancel()); // nothing in progress: ignored, no message
            assertThat(client.ask("Hello").ok().pieces()).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void shutdownEndsAnswersInFlightAndReturnsWithinFiveSeconds(ConnectionMode mode) throws IOException {
        try (ChatEngine engine = oneSlotEngine()) {
            ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start();
            WireClient a = new WireClient(server.port());
            WireClient b = new WireClient(server.port());
            WireClient idle = new WireClient(server.port());
            try (SlotHolder holder = new SlotHolder(engine)) {
                a.write("{\"token\":\"Hello\",\"eog\":true}{\"token\":\"Again\",\"eog\":true}");
                b.prompt("Hello");
                TestEngines.eventually("two prompts wait", () -> engine.stats().queuedReplies() == 2);
                long start = System.nanoTime();
                server.close();
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(took).isLessThan(Duration.ofSeconds(5));
                ServerMessage shuttingDown = ServerMessage.End.error("server shutting down");
                assertThat(a.readUntilClosed()).containsExactly(shuttingDown, shuttingDown);
                assertThat(b.readUntilClosed()).containsExactly(shuttingDown);
                assertThat(idle.readUntilClosed()).isEmpty();
                assertThat(server.connections()).isZero();
                TestEngines.eventually("only the holder's session is open",
                        () -> holder.engine().stats().openSessions() == 1);
                assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close())
                        .isInstanceOf(ConnectException.class);
                server.close(); // twice is harmless
            } finally {
                for (WireClient c : List.of(a, b, idle)) c.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void shutdownReturnsWithinFiveSecondsAlsoWhenAClientDoesNotRead(ConnectionMode mode) throws IOException {
        try (ChatEngine engine = TestEngines.start(1, b -> b.maxTokens(200).contextPerSession(4096).bufferPieces(2));
             Socket deaf = new Socket()) {
            ChatServer server = ChatServer.builder(engine).port(0).mode(mode)
                    .limits(ServerLimits.DEFAULTS.withOutboundBytes(1024)).start();
            deaf.setReceiveBufferSize(1024);
            deaf.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            // Answers pile up unread (until the socket buffers are full and the reply's writer blocks).
            String prompts = "{\"token\":\"Tell me more.\",\"eog\":true}".repeat(60);
            deaf.getOutputStream().write(prompts.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            TestEngines.eventually("the deaf client's reply runs", () -> engine.stats().activeReplies() == 1);
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            TestEngines.eventually("the deaf client's session is freed", () -> engine.stats().openSessions() == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void anIdleTimeoutClosesSilentConnectionsWhenConfigured(ConnectionMode mode) throws IOException {
        try (ChatEngine engine = TestEngines.start(1, b -> b);
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode)
                     .limits(ServerLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(300))).start();
             WireClient silent = new WireClient(server.port())) {
            assertThat(silent.readUntilClosed()).containsExactly(ServerMessage.End.error("idle timeout"));
            TestEngines.eventually("the session is closed", () -> engine.stats().openSessions() == 0);
        }
    }
}
