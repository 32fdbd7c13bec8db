package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.Outbound;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.testing.TestEngines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The pacer alone, against a recording wire: merging, intervals, ends of their own, never blocking the sender. */
class MessagePacerTest {

    private static final Duration INTERVAL = Duration.ofMillis(20);

    /** A wire that records each write with its time; thread-safe. */
    private static final class RecordingWire implements Outbound {
        record Write(long nanos, ServerMessage message) {
        }

        final List<Write> writes = new ArrayList<>();

        @Override
        public synchronized void send(ServerMessage message) {
            writes.add(new Write(System.nanoTime(), message));
        }

        synchronized List<Write> snapshot() {
            return List.copyOf(writes);
        }

        String text() {
            return snapshot().stream().map(Write::message).filter(ServerMessage.Piece.class::isInstance)
                    .map(m -> ((ServerMessage.Piece) m).token()).collect(Collectors.joining());
        }
    }

    @Test
    void piecesSentFasterThanTheIntervalAreMergedAndTheEndIsAWriteOfItsOwnAfterTheInterval() {
        RecordingWire wire = new RecordingWire();
        MessagePacer pacer = MessagePacer.pace(wire, INTERVAL, 256 * 1024, "test");
        StringBuilder sent = new StringBuilder();
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            String piece = i % 7 == 0 ? "ä€😀" : " w" + i; // whole characters of 2, 3 and 4 UTF-8 bytes
            sent.append(piece);
            pacer.send(new ServerMessage.Piece(piece));
            if (i % 20 == 0) sleepMillis(3);
        }
        long queued = System.nanoTime() - start;
        pacer.send(ServerMessage.End.ok());

        List<RecordingWire.Write> writes = wire.snapshot();
        assertThat(wire.text()).as("the text the client assembles").isEqualTo(sent.toString());
        assertThat(writes.getLast().message()).isEqualTo(ServerMessage.End.ok());
        assertThat(writes).as("merged: far fewer writes than pieces").hasSizeLessThan(100);
        for (int i = 1; i < writes.size(); i++) {
            assertThat(writes.get(i).nanos() - writes.get(i - 1).nanos()).as("gap before write %d", i)
                    .isGreaterThanOrEqualTo(INTERVAL.toNanos());
        }
        // 200 pieces queued with 10 sleeps of 3 ms: had each waited for its interval it would have taken 4 s.
        assertThat(Duration.ofNanos(queued)).as("queueing pieces never waits for the interval")
                .isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void aMergedPieceFitsOneReadOf1024Bytes() {
        RecordingWire wire = new RecordingWire();
        MessagePacer pacer = MessagePacer.pace(wire, INTERVAL, 256 * 1024, "test");
        String piece = "\"é\\\n"; // escapes and two-byte characters: 1 + 2 + 2 + 2 bytes of JSON
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            pacer.send(new ServerMessage.Piece(piece));
            sent.append(piece);
        }
        pacer.send(ServerMessage.End.error("server busy"));

        assertThat(wire.text()).isEqualTo(sent.toString());
        for (RecordingWire.Write write : wire.snapshot()) {
            assertThat(MessageCodec.encodeLine(write.message()).length).isLessThanOrEqualTo(1024);
        }
        assertThat(wire.snapshot().getLast().message()).isEqualTo(ServerMessage.End.error("server busy"));
    }

    @Test
    void theFirstPieceAfterAQuietSpellGoesOutAtOnce() {
        RecordingWire wire = new RecordingWire();
        MessagePacer pacer = MessagePacer.pace(wire, Duration.ofMillis(500), 256 * 1024, "test");
        long start = System.nanoTime();
        pacer.send(new ServerMessage.Piece("Hi"));
        TestEngines.eventually("the first write", () -> !wire.snapshot().isEmpty());
        assertThat(Duration.ofNanos(wire.snapshot().getFirst().nanos() - start))
                .as("no wait before the first write").isLessThan(Duration.ofMillis(400));
        pacer.close();
    }

    @Test
    void aZeroIntervalPassesEveryMessageStraightThrough() {
        RecordingWire wire = new RecordingWire();
        MessagePacer pacer = MessagePacer.pace(wire, Duration.ZERO, 256 * 1024, "test");
        for (int i = 0; i < 50; i++) pacer.send(new ServerMessage.Piece("p" + i));
        pacer.send(ServerMessage.End.ok());
        assertThat(wire.snapshot()).hasSize(51);
    }

    @Test
    void closingReleasesASenderWaitingForItsEndAndDropsWhatWaits() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<ServerMessage> written = new ArrayList<>();
        Outbound stuck = message -> { // a client that stopped reading: the first write blocks
            synchronized (written) {
                written.add(message);
            }
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        MessagePacer pacer = MessagePacer.pace(stuck, INTERVAL, 1024, "test");
        pacer.send(new ServerMessage.Piece("first"));
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        pacer.send(new ServerMessage.Piece("second"));
        CompletableFuture<Void> end = CompletableFuture.runAsync(() -> pacer.send(ServerMessage.End.ok()),
                Thread::startVirtualThread);
        sleepMillis(100);
        assertThat(end).as("the end waits for its write").isNotDone();

        pacer.close();
        end.get(10, TimeUnit.SECONDS);
        release.countDown();
        sleepMillis(100);
        synchronized (written) {
            assertThat(written).containsExactly(new ServerMessage.Piece("first"));
        }
    }

    @Test
    void jsonBytesNeverUnderestimatesTheEncodedText() {
        for (String text : List.of("plain", "ä€😀", "\"\\", "\n\t\u0001", "mixed \"ä\" \n 😀 end")) {
            int encoded = MessageCodec.encodeLine(new ServerMessage.Piece(text)).length;
            int empty = MessageCodec.encodeLine(new ServerMessage.Piece("")).length;
            assertThat(MessagePacer.jsonBytes(text)).as(text).isGreaterThanOrEqualTo(encoded - empty);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
