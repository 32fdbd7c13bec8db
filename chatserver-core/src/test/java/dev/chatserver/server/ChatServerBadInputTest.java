package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.SlotHolder;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every kind of bad input gets a clear error and costs nothing else, in every connection mode. */
class ChatServerBadInputTest {

    private static ChatEngine engine;
    private static String hello;

    @BeforeAll
    static void startEngine() {
        engine = TestEngines.start(2, b -> b);
        hello = TestEngines.direct(engine, "Hello").getFirst();
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    private static ChatServer start(ConnectionMode mode, ServerLimits limits) throws IOException {
        return ChatServer.builder(engine).port(0).mode(mode).limits(limits).start();
    }

    /** Sends the bad input, expects an error naming the problem, then a good prompt on the same connection. */
    private static void survives(ChatServer server, byte[] bad, String error) {
        try (WireClient client = new WireClient(server.port()); WireClient neighbour = new WireClient(server.port())) {
            WireClient.Answer refused = client.write(bad).readAnswer();
            assertThat(refused.error()).hasValueSatisfying(e -> assertThat(e).contains(error));
            assertThat(refused.pieces()).isZero();
            assertThat(refused.error().orElseThrow()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(client.ask("Hello").ok().text()).as("the connection stays usable").isEqualTo(hello);
            assertThat(neighbour.ask("Hello").ok().text()).isEqualTo(hello);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void malformedJsonGetsAnErrorAndTheConnectionStaysUsable(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS)) {
            survives(server, utf8("{\"token\": }"), "malformed JSON");
            survives(server, utf8("hello there\n"), "malformed JSON");
            survives(server, utf8("{\"token\": \"no end\n"), "malformed JSON");
            survives(server, utf8("{\"eog\": true}"), "missing \"token\"");
            survives(server, utf8("{\"token\": 42, \"eog\": true}"), "\"token\" must be a string");
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void invalidUtf8GetsAnError(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS)) {
            byte[] bad = {'{', '"', 't', 'o', 'k', 'e', 'n', '"', ':', '"', (byte) 0xFF, (byte) 0xC3, '"', '}'};
            survives(server, bad, "not valid UTF-8");
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void anEmptyPromptGetsAnError(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS)) {
            survives(server, utf8("{\"token\": \"\", \"eog\": true}"), "empty prompt");
            survives(server, utf8("{\"token\": \" \", \"eog\": false}{\"token\": \"\\n\", \"eog\": true}"),
                    "empty prompt");
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aPromptTooLongForTheContextGetsTheEnginesReason(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS)) {
            String story = "The quick brown fox jumps over the lazy dog. ".repeat(200);
            try (WireClient client = new WireClient(server.port())) {
                WireClient.Answer refused = client.ask(story);
                assertThat(refused.error())
                        .hasValueSatisfying(e -> assertThat(e).isNotBlank().doesNotContain("Exception"));
                assertThat(client.ask("Hello").ok().pieces()).as("the connection stays usable").isPositive();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aMessageOverTheLimitGetsAnErrorThenTheConnectionCloses(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS);
             WireClient client = new WireClient(server.port()); WireClient neighbour = new WireClient(server.port())) {
            String huge = "{\"token\": \"" + "x".repeat(70 * 1024) + "\", \"eog\": true}";
            List<ServerMessage> messages = client.write(huge).readUntilClosed();
            assertThat(messages)
                    .containsExactly(ServerMessage.End.error("message too large: the limit is 65536 bytes"));
            assertThat(neighbour.ask("Hello").ok().text()).isEqualTo(hello);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aJoinedPromptOverTheLimitGetsAnErrorThenTheConnectionCloses(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS.withMaxMessageBytes(1024));
             WireClient client = new WireClient(server.port())) {
            String part = "{\"token\": \"" + "y".repeat(600) + "\", \"eog\": false}";
            List<ServerMessage> messages = client.write(part + part).readUntilClosed();
            assertThat(messages).singleElement().isInstanceOfSatisfying(ServerMessage.End.class,
                    end -> assertThat(end.error()).hasValueSatisfying(e -> assertThat(e).contains("prompt too long")));
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void anHttpRequestIsClosedAtOnceWithoutAnAnswer(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS);
             WireClient browser = new WireClient(server.port()); WireClient neighbour = new WireClient(server.port())) {
            browser.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n\r\n");
            assertThat(browser.readUntilClosed()).isEmpty();
            assertThat(neighbour.ask("Hello").ok().text()).isEqualTo(hello);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void connectionsOverTheLimitGetAnErrorAndAreClosed(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode, ServerLimits.DEFAULTS.withMaxConnections(2))) {
            try (WireClient first = new WireClient(server.port()); WireClient second = new WireClient(server.port())) {
                assertThat(first.ask("Hello").ok().text()).isEqualTo(hello);
                assertThat(second.ask("Hello").ok().text()).isEqualTo(hello);
                try (WireClient third = new WireClient(server.port())) {
                    assertThat(third.readUntilClosed())
                            .containsExactly(ServerMessage.End.error("too many connections"));
                }
                assertThat(first.ask("Hello").ok().pieces()).as("the others go on").isPositive();
            }
            TestEngines.eventually("the slots are given back", () -> server.connections() == 0);
            try (WireClient again = new WireClient(server.port())) {
                assertThat(again.ask("Hello").ok().text()).isEqualTo(hello);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aFullEngineQueueAnswersServerBusy(ConnectionMode mode) throws IOException {
        try (ChatEngine small = TestEngines.start(1, b -> b.maxQueued(1).bufferPieces(1).pausedReplyGrace(SlotHolder.KEEPS_ITS_SLOT));
             ChatServer server = ChatServer.builder(small).port(0).mode(mode).start();
             WireClient queued = new WireClient(server.port()); WireClient refused = new WireClient(server.port())) {
            try (SlotHolder holder = new SlotHolder(small)) {
                queued.prompt("Hello");
                TestEngines.eventually("one reply waits", () -> small.stats().queuedReplies() == 1);
                WireClient.Answer busy = refused.ask("Hello");
                assertThat(busy.error()).isEqualTo(Optional.of("server busy"));
                assertThat(holder.engine().stats().queuedReplies()).isEqualTo(1);
            }
            assertThat(queued.readAnswer().ok().pieces()).as("the queued prompt is answered after all").isPositive();
            assertThat(refused.ask("Hello").ok().pieces()).as("busy costs nothing else").isPositive();
        }
    }
}
