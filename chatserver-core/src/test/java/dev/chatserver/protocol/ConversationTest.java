package dev.chatserver.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.SlotHolder;
import dev.chatserver.testing.TestEngines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The transport-neutral conversation logic with the real engine and an outbound that records messages. */
class ConversationTest {

    /** Records what the conversation sends; the conversation's threads add, the test thread reads. */
    private static final class Recorder implements Outbound {
        private final List<ServerMessage> messages = new ArrayList<>();

        @Override
        public synchronized void send(ServerMessage message) {
            messages.add(message);
        }

        synchronized List<ServerMessage> messages() {
            return List.copyOf(messages);
        }

        synchronized long ends() {
            return messages.stream().filter(m -> m instanceof ServerMessage.End).count();
        }

        /** The answers: pieces joined, each followed by its end's error or "ok". */
        synchronized List<String> answers() {
            List<String> answers = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (ServerMessage message : messages) {
                switch (message) {
                    case ServerMessage.Piece piece -> text.append(piece.token());
                    case ServerMessage.End end -> {
                        answers.add(text + "|" + end.error().orElse("ok"));
                        text.setLength(0);
                    }
                }
            }
            return answers;
        }
    }

    @Test
    void promptsAreAnsweredInOrderWithErrorsInLine() throws Exception {
        try (ChatEngine engine = TestEngines.start(2, b -> b)) {
            List<String> direct = TestEngines.direct(engine, "Hello", "And then?");
            Recorder out = new Recorder();
            try (Conversation conversation = Conversation.open(engine, out)) {
                conversation.receiveJson("{\"token\":\"Hel\",\"eog\":false}");
                conversation.receive(new ClientMessage.Prompt("lo", true));
                conversation.receive(ClientMessage.Prompt.of("  "));
                conversation.receiveJson("{\"token\": nope}");
                conversation.receive(ClientMessage.Prompt.of("And then?"));
                TestEngines.eventually("four end messages", () -> out.ends() == 4);
                assertThat(conversation.awaitIdle(TestEngines.TIMEOUT)).isTrue();
                assertThat(conversation.isBusy()).isFalse();
                List<String> answers = out.answers();
                assertThat(answers.get(0)).isEqualTo(direct.get(0) + "|ok");
                assertThat(answers.get(1)).isEqualTo("|empty prompt");
                assertThat(answers.get(2)).startsWith("|malformed JSON");
                assertThat(answers.get(3)).isEqualTo(direct.get(1) + "|ok");
                assertThat(engine.stats().openSessions()).isEqualTo(1);
            }
            TestEngines.eventually("closing the conversation closes its session",
                    () -> engine.stats().openSessions() == 0);
        }
    }

    @Test
    void endMessagesSayHowAnswersEndedAndWhenOldTurnsWereDropped() throws Exception {
        // A window of 128 tokens and answers of 16: after a few turns the oldest ones no longer fit.
        try (ChatEngine engine = TestEngines.start(1, b -> b.contextPerSession(128).maxTokens(16))) {
            Recorder out = new Recorder();
            try (Conversation conversation = Conversation.open(engine, out)) {
                for (int turn = 0; turn < 8; turn++) {
                    conversation.receive(ClientMessage.Prompt.of("This is message number " + turn
                            + " of a long talk."));
                }
                TestEngines.eventually("eight end messages", () -> out.ends() == 8);
            }
            List<ServerMessage.End> ends = out.messages().stream()
                    .filter(m -> m instanceof ServerMessage.End).map(m -> (ServerMessage.End) m).toList();
            assertThat(ends).allSatisfy(end -> assertThat(end.error()).isEmpty())
                    .allSatisfy(end -> assertThat(end.finish()).isPresent());
            assertThat(ends.getFirst().droppedTurns()).isZero();
            assertThat(ends).as("later answers dropped the oldest turns")
                    .anySatisfy(end -> assertThat(end.droppedTurns()).isPositive());
            assertThat(ends).as("16 tokens cut some answer")
                    .anySatisfy(end -> assertThat(end.finish()).contains(ServerMessage.Finish.LENGTH));
        }
    }

    @Test
    void cancelBeforeAnAnswerStartedSkipsTheNextPrompt() throws Exception {
        try (ChatEngine engine = TestEngines.start(1, b -> b)) {
            CountDownLatch firstSend = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Recorder recorder = new Recorder();
            Outbound slowAtFirst = message -> {
                firstSend.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                recorder.send(message);
            };
            try (Conversation conversation = Conversation.open(engine, slowAtFirst)) {
                conversation.receiveJson("not json\n");
                firstSend.await();
                conversation.receive(ClientMessage.Prompt.of("Hello"));
                conversation.receive(new ClientMessage.Cancel());
                conversation.receive(ClientMessage.Prompt.of("Hello"));
                release.countDown();
                TestEngines.eventually("three end messages", () -> recorder.ends() == 3);
                List<String> answers = recorder.answers();
                assertThat(answers.get(0)).startsWith("|malformed JSON");
                assertThat(answers.get(1)).isEqualTo("|ok");
                assertThat(answers.get(2)).isEqualTo(TestEngines.direct(engine, "Hello").getFirst() + "|ok");
            }
        }
    }

    @Test
    void shutdownEndsTheAnswerInProgressAndEveryWaitingPrompt() throws Exception {
        try (ChatEngine engine = TestEngines.start(1, b -> b.bufferPieces(1).pausedReplyGrace(SlotHolder.KEEPS_ITS_SLOT))) {
            Recorder out = new Recorder();
            try (SlotHolder holder = new SlotHolder(engine);
                 Conversation conversation = Conversation.open(engine, out)) {
                conversation.receive(ClientMessage.Prompt.of("Hello"));
                conversation.receive(ClientMessage.Prompt.of("Again"));
                TestEngines.eventually("the first prompt waits", () -> holder.engine().stats().queuedReplies() == 1);
                conversation.shutdown();
                assertThat(conversation.awaitIdle(TestEngines.TIMEOUT)).isTrue();
                conversation.receive(ClientMessage.Prompt.of("Late"));
                assertThat(conversation.awaitIdle(TestEngines.TIMEOUT)).isTrue();
                assertThat(out.messages()).containsOnly(ServerMessage.End.error(Conversation.SHUTTING_DOWN)).hasSize(3);
            }
        }
    }

    /**
     * Repeated: closing cancels the waiting reply, and on a busy machine the reply's completion could win the race
     * with the stop that caused it and send "answer cancelled" (about one run in six under load).
     */
    @RepeatedTest(10)
    void closeStopsEverythingWithoutAnotherMessage() throws Exception {
        try (ChatEngine engine = TestEngines.start(1, b -> b.bufferPieces(1).pausedReplyGrace(SlotHolder.KEEPS_ITS_SLOT))) {
            Recorder out = new Recorder();
            try (SlotHolder holder = new SlotHolder(engine)) {
                Conversation conversation = Conversation.open(engine, out);
                conversation.receive(ClientMessage.Prompt.of("Hello"));
                conversation.receive(ClientMessage.Prompt.of("Again"));
                TestEngines.eventually("the first prompt waits", () -> holder.engine().stats().queuedReplies() == 1);
                conversation.close();
                conversation.close();
                assertThat(conversation.awaitIdle(TestEngines.TIMEOUT)).isTrue();
                TestEngines.eventually("the reply left the queue", () -> holder.engine().stats().queuedReplies() == 0);
                TestEngines.eventually("only the holder's session is open", () -> engine.stats().openSessions() == 1);
                assertThat(out.messages()).isEmpty();
            }
        }
    }

    @Test
    void limitsOnPromptLengthAndWaitingPromptsAreFatal() throws Exception {
        try (ChatEngine engine = TestEngines.start(1, b -> b.bufferPieces(1).pausedReplyGrace(SlotHolder.KEEPS_ITS_SLOT))) {
            Recorder out = new Recorder();
            try (SlotHolder holder = new SlotHolder(engine);
                 Conversation conversation = Conversation.open(engine, out, new ConversationLimits(10, 2))) {
                conversation.receive(new ClientMessage.Prompt("12345", false));
                assertThatThrownBy(() -> conversation.receive(new ClientMessage.Prompt("678901", true)))
                        .isInstanceOfSatisfying(ProtocolException.class, e -> {
                            assertThat(e.kind()).isEqualTo(ProtocolException.Kind.TOO_LARGE);
                            assertThat(e.getMessage()).isEqualTo("prompt too long: the limit is 10 characters");
                        });
                conversation.receive(ClientMessage.Prompt.of("a")); // answered: holds the answer thread
                TestEngines.eventually("the first prompt waits", () -> holder.engine().stats().queuedReplies() == 1);
                conversation.receive(ClientMessage.Prompt.of("b"));
                conversation.receive(ClientMessage.Prompt.of("c"));
                assertThatThrownBy(() -> conversation.receive(ClientMessage.Prompt.of("d")))
                        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.kind())
                                .isEqualTo(ProtocolException.Kind.TOO_MANY_PENDING));
                assertThat(conversation.awaitIdle(Duration.ZERO)).isFalse();
            }
        }
    }
}
