package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.LogRecorder;
import dev.chatserver.testing.SlotHolder;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The server answering well-behaved clients, in every connection mode, with the real engine on the tiny model. */
class ChatServerTest {

    private static final String FIRST = "Hello";
    private static final String SECOND = "What did I just say?";

    private static ChatEngine engine;
    private static String hello;
    private static List<String> conversation;

    @BeforeAll
    static void startEngine() {
        engine = TestEngines.start(4, b -> b);
        hello = TestEngines.direct(engine, FIRST).getFirst();
        conversation = TestEngines.direct(engine, FIRST, SECOND);
        assertThat(hello).as("the tiny model answers something").isNotEmpty();
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    private static ChatServer start(ConnectionMode mode) throws IOException {
        return ChatServer.builder(engine).port(0).mode(mode).start();
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void oneClientGetsTheEnginesAnswer(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port())) {
            assertThat(server.host()).isEqualTo("127.0.0.1");
            assertThat(server.port()).isPositive();
            assertThat(server.mode()).isEqualTo(mode);
            WireClient.Answer answer = client.ask(FIRST).ok();
            assertThat(answer.text()).isEqualTo(hello);
            assertThat(answer.pieces()).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aConnectionLogsOneLineWhenItOpensAndOneWhenItClosesNotOnePerToken(ConnectionMode mode) throws Exception {
        // Unpaced: pacing may merge a fast answer into one piece, and the point is many pieces, few lines.
        try (LogRecorder log = LogRecorder.of(ChatServer.class.getPackageName());
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode).minMessageInterval(Duration.ZERO)
                     .start()) {
            try (WireClient client = new WireClient(server.port())) {
                assertThat(client.ask(FIRST).ok().pieces()).as("several pieces were sent").isGreaterThan(1);
            }
            List<String> closed = log.await(line -> line.matches("INFO connection \\d+ closed: .*"), 1,
                    Duration.ofSeconds(30));
            assertThat(closed).hasSize(1);
            String id = closed.getFirst().split(" ")[2];
            assertThat(log.lines()).as("the lines naming the connection").filteredOn(line -> line.contains(
                    "connection " + id + " ")).satisfiesExactly(
                    opened -> assertThat(opened).matches(
                            "INFO connection " + id + " from /127\\.0\\.0\\.1:\\d+ opened \\(session s-\\d+\\)"),
                    close -> assertThat(close).isEqualTo(closed.getFirst()));
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void theSecondPromptContinuesTheConversation(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port());
             WireClient fresh = new WireClient(server.port())) {
            String first = client.ask(FIRST).ok().text();
            String second = client.ask(SECOND).ok().text();
            String secondAlone = fresh.ask(SECOND).ok().text();
            assertThat(List.of(first, second)).isEqualTo(conversation);
            assertThat(second).as("the first turn shapes the second answer").isNotEqualTo(secondAlone);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void tenSimultaneousClientsGetTheSoloTranscript(ConnectionMode mode) throws Exception {
        try (ChatServer server = start(mode)) {
            List<String> solo = transcript(server.port());
            assertThat(solo).isEqualTo(conversation);
            assertThat(tenClients(server.port())).allSatisfy(t -> assertThat(t).isEqualTo(solo));
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void tenActiveClientsAreServedBesides1024IdleConnections(ConnectionMode mode) throws Exception {
        int idle = 1024;
        long maxFiles = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        // Both ends of every connection live in this JVM, plus the engine, the jars and the active clients.
        assumeTrue(maxFiles >= 2L * idle + 512, "needs a file descriptor limit of at least " + (2 * idle + 512)
                + ", have " + maxFiles);
        List<Socket> silent = new ArrayList<>();
        try (ChatServer server = start(mode)) {
            try {
                for (int i = 0; i < idle; i++) {
                    silent.add(new Socket("127.0.0.1", server.port()));
                }
                assertThat(tenClients(server.port())).allSatisfy(t -> assertThat(t).isEqualTo(conversation));
                assertThat(server.connections()).as("the idle connections are still open").isGreaterThanOrEqualTo(idle);
            } finally {
                for (Socket socket : silent) socket.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void twoPromptsInOneWriteAreAnsweredInOrder(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port())) {
            client.write("{\"token\":\"" + FIRST + "\",\"eog\":true}{\"token\":\"" + SECOND + "\",\"eog\":true}");
            assertThat(List.of(client.readAnswer().ok().text(), client.readAnswer().ok().text()))
                    .isEqualTo(conversation);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aPromptSentByteByByteIsAnsweredOnce(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port())) {
            byte[] bytes = "  {\"eog\": true, \"token\": \"Hello\"}\n".getBytes(StandardCharsets.UTF_8);
            for (byte b : bytes) client.write(new byte[] {b});
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello);
            assertThat(client.ask(SECOND).ok().text()).isEqualTo(conversation.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void promptPartsAreJoinedUntilEog(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port())) {
            client.write("{\"token\":\"He\",\"eog\":false}\n{\"token\":\"l\",\"eog\":false}{\"token\":\"lo\"}");
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello);
        }
    }

    /** Speaks like the SocketLab's Python client: one send, then each recv(1024) parsed as JSON objects. */
    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void theLabsPythonClientWorksUnchanged(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(WireClient.READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write("{\"token\": \"Hello\", \"eog\": true}".getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            ByteArrayOutputStream partial = new ByteArrayOutputStream();
            byte[] recv = new byte[1024];
            boolean eog = false;
            while (!eog) {
                int n = in.read(recv);
                assertThat(n).as("bytes before the end of the answer").isPositive();
                partial.write(recv, 0, n);
                String data = partial.toString(StandardCharsets.UTF_8);
                int lastNewline = data.lastIndexOf('\n');
                if (lastNewline < 0) continue;
                // Every message is one line; a recv may hold several, or end inside one.
                for (String line : data.substring(0, lastNewline).split("\n")) {
                    ServerMessage message = MessageCodec.decodeServer(line);
                    if (message instanceof ServerMessage.Piece piece) answer.append(piece.token());
                    else eog = true;
                }
                byte[] rest = data.substring(lastNewline + 1).getBytes(StandardCharsets.UTF_8);
                partial.reset();
                partial.write(rest);
            }
            assertThat(answer.toString()).isEqualTo(hello);
        } catch (dev.chatserver.protocol.ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> transcript(int port) {
        try (WireClient client = new WireClient(port)) {
            return List.of(client.ask(FIRST).ok().text(), client.ask(SECOND).ok().text());
        }
    }

    private static List<List<String>> tenClients(int port) throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> transcripts = new ArrayList<>();
            for (int i = 0; i < 10; i++) transcripts.add(clients.submit(() -> transcript(port)));
            List<List<String>> result = new ArrayList<>();
            for (Future<List<String>> t : transcripts) result.add(t.get());
            return result;
        }
    }
}
