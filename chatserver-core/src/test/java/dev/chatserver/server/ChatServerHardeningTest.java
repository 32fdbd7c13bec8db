package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.LogRecorder;
import dev.chatserver.testing.TestEngines;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Input at the edges of the protocol, in every connection mode: a half-close, HTTP after prompts, JSON the parser
 * cannot take, bursts of bad lines. Each gets its answers or an error message, and nothing is lost.
 */
class ChatServerHardeningTest {

    private static ChatEngine engine;
    /** A fresh session's answers to "Hello", asked three times in turn. */
    private static List<String> hello;

    @BeforeAll
    static void startEngine() {
        engine = TestEngines.start(2, b -> b);
        hello = TestEngines.direct(engine, "Hello", "Hello", "Hello");
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    private static ChatServer start(ConnectionMode mode) throws IOException {
        return ChatServer.builder(engine).port(0).mode(mode).start();
    }

    private static final String PROMPT = "{\"token\":\"Hello\",\"eog\":true}";

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aHalfClosedClientGetsTheAnswersToWhatItSentThenTheConnectionCloses(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port())) {
            client.write(PROMPT + PROMPT).shutdownOutput();
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello.get(0));
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello.get(1));
            assertThat(client.readUntilClosed()).as("nothing more, then the close").isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aPromptFollowedByAnHttpRequestGetsItsAnswerBeforeTheClose(ConnectionMode mode) throws IOException {
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port())) {
            client.write(PROMPT + "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello.get(0));
            assertThat(client.readUntilClosed()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void deepNestingAndHugeNumbersAreMalformedJsonAndCostNothingElse(ConnectionMode mode) throws IOException {
        String deep = "{\"token\":\"Hi\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
        String number = "{\"token\":\"Hi\",\"n\":" + "9".repeat(5000) + "}";
        String fraction = "{\"token\":\"Hi\",\"n\":1." + "5".repeat(2000) + "e99999}";
        try (LogRecorder log = LogRecorder.of("dev.chatserver"); ChatServer server = start(mode);
             WireClient client = new WireClient(server.port())) {
            // Pipelined: the prompt before the bad messages and the one after them are both answered.
            client.write(PROMPT + deep + number + fraction + PROMPT);
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello.get(0));
            assertThat(client.readAnswer().error()).hasValueSatisfying(e -> assertThat(e).startsWith("malformed JSON: nested"));
            assertThat(client.readAnswer().error()).hasValueSatisfying(e -> assertThat(e).startsWith("malformed JSON: a number"));
            assertThat(client.readAnswer().error()).hasValueSatisfying(e -> assertThat(e).startsWith("malformed JSON: a number"));
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello.get(1));
            assertThat(client.ask("Hello").ok().text()).isEqualTo(hello.get(2));
            assertThat(log.lines()).as("no warnings, no stack traces").noneMatch(line -> line.startsWith("WARNING"));
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aBurstOfBadLinesIsAnsweredLineByLineAndTheConnectionStays(ConnectionMode mode) throws IOException {
        int lines = 100; // above the 64 prompts that may wait: error replies do not count toward that limit
        try (ChatServer server = start(mode); WireClient client = new WireClient(server.port())) {
            client.write("junk\n".repeat(lines) + PROMPT);
            for (int i = 0; i < lines; i++) {
                assertThat(client.readAnswer().error()).as("line %d", i)
                        .hasValueSatisfying(e -> assertThat(e).startsWith("malformed JSON"));
            }
            assertThat(client.readAnswer().ok().text()).isEqualTo(hello.get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void aClientThatReadsNothingIsDisconnectedAfterTheWriteTimeout(ConnectionMode mode) throws Exception {
        ServerLimits limits = ServerLimits.DEFAULTS.withWriteTimeout(Duration.ofMillis(800)).withOutboundBytes(1024)
                .withSendBufferBytes(1024);
        try (ChatEngine talkative = TestEngines.start(2, b -> b.maxTokens(400).contextPerSession(1024));
             LogRecorder log = LogRecorder.of(ChatServer.class.getPackageName());
             ChatServer server = ChatServer.builder(talkative).port(0).mode(mode).limits(limits).start();
             Socket deaf = SlowReaders.connect(server.port())) {
            SlowReaders.pipeline(deaf, 64);
            List<String> lines = log.await(line -> line.contains("write timeout, the client read nothing"), 1,
                    TestEngines.TIMEOUT);
            assertThat(lines).hasSize(1);
            TestEngines.eventually("the connection is closed", () -> server.connections() == 0);
            TestEngines.eventually("its answer is cancelled", () -> talkative.stats().activeReplies() == 0
                    && talkative.stats().openSessions() == 0);
        }
    }
}
