package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.websocket.WsCloseCodes;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner alone, on client byte streams cut into reads at every possible place. */
class FrameScannerTest {

    /** A masked client frame; the mask is fixed and the payload left as given (the scanner never reads it). */
    private static byte[] frame(int firstByte, int payloadLength) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(firstByte);
        if (payloadLength < 126) {
            frame.write(0x80 | payloadLength);
        } else if (payloadLength < 65536) {
            frame.write(0x80 | 126);
            frame.write(payloadLength >>> 8);
            frame.write(payloadLength & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) frame.write((int) ((long) payloadLength >>> shift) & 0xFF);
        }
        frame.writeBytes(new byte[] {1, 2, 3, 4});
        byte[] payload = new byte[payloadLength];
        // Payload bytes that look like frame headers, so that reading them as headers would show.
        Arrays.fill(payload, (byte) 0x83);
        frame.writeBytes(payload);
        return frame.toByteArray();
    }

    /** @return what passes, scanned in two reads cut at {@code cut}, and the count that passed */
    private static byte[] scanCut(FrameScanner scanner, byte[] stream, int cut) {
        byte[] first = Arrays.copyOfRange(stream, 0, cut);
        byte[] second = Arrays.copyOfRange(stream, cut, stream.length);
        int passedFirst = scanner.scan(first);
        if (passedFirst < first.length) return Arrays.copyOf(first, passedFirst);
        int passedSecond = scanner.scan(second);
        return RawWebSocket.concat(first, Arrays.copyOf(second, passedSecond));
    }

    /** @param frames each a first byte and a payload length */
    private static byte[] stream(int[]... frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int[] f : frames) all.writeBytes(frame(f[0], f[1]));
        return all.toByteArray();
    }

    /** A fragmented text message with a ping inside, an empty binary message, a pong, a text message, a close. */
    private static final int[][] GOOD = {{0x01, 5}, {0x89, 3}, {0x00, 200}, {0x80, 70_000}, {0x82, 0}, {0x8A, 0},
            {0x81, 125}, {0x88, 2}};
    /** The same with text and binary swapped. */
    private static final int[][] SWAPPED = {{0x02, 5}, {0x89, 3}, {0x00, 200}, {0x80, 70_000}, {0x81, 0}, {0x8A, 0},
            {0x82, 125}, {0x88, 2}};

    @Test
    void aGoodStreamPassesWholeWithTextAndBinarySwappedWhereverItIsCut() {
        byte[] good = stream(GOOD);
        byte[] expected = stream(SWAPPED);
        for (int cut = 0; cut <= good.length; cut += cut < 400 || cut > good.length - 400 ? 1 : 1009) {
            FrameScanner scanner = new FrameScanner();
            assertThat(scanCut(scanner, good.clone(), cut)).as("cut at %d", cut).isEqualTo(expected);
            assertThat(scanner.failure()).isNull();
        }
        FrameScanner scanner = new FrameScanner();
        byte[] oneByOne = good.clone();
        for (int i = 0; i < oneByOne.length; i++) {
            byte[] one = {oneByOne[i]};
            assertThat(scanner.scan(one)).isEqualTo(1);
            oneByOne[i] = one[0];
        }
        assertThat(oneByOne).as("one byte per read").isEqualTo(expected);
    }

    /** Each case: frames that are fine, then a frame whose first byte breaks the protocol, and why. */
    private record Bad(byte[] before, byte[] bad, String reason) {
    }

    @Test
    void aBadFrameStopsTheStreamRightBeforeItWhereverItIsCut() {
        byte[] good = stream(new int[] {0x81, 130}, new int[] {0x89, 0});
        List<Bad> cases = List.of(
                new Bad(good, frame(0x83, 1), "unknown opcode 0x3"),
                new Bad(good, frame(0x8B, 1), "unknown opcode 0xB"),
                new Bad(good, frame(0xC1, 1), "reserved bits set"),
                new Bad(good, frame(0x09, 1), "fragmented control frame"),
                new Bad(good, frame(0x80, 1), "continuation frame with no message open"),
                new Bad(frame(0x01, 1), frame(0x81, 1), "new message before the last one ended"),
                new Bad(frame(0x01, 1), frame(0x82, 1), "new message before the last one ended"));
        for (Bad bad : cases) {
            byte[] stream = RawWebSocket.concat(bad.before(), bad.bad());
            for (int cut = 0; cut <= stream.length; cut++) {
                FrameScanner scanner = new FrameScanner();
                byte[] passed = scanCut(scanner, stream.clone(), cut);
                assertThat(passed.length).as("%s, cut at %d", bad.reason(), cut).isEqualTo(bad.before().length);
                assertThat(scanner.failure().getMessage()).isEqualTo(bad.reason());
                assertThat(scanner.failure().closeCode()).isEqualTo(WsCloseCodes.PROTOCOL_ERROR);
            }
        }
    }

    @Test
    void aBadLengthStopsAtTheByteThatShowsIt() {
        byte[] longPing = {(byte) 0x89, (byte) (0x80 | 126), 0, 126};
        byte[] unmasked = {(byte) 0x81, 0x01, 'x'};
        byte[] negative = {(byte) 0x82, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
        assertStopsAt(longPing, 1, "control frame longer than 125 bytes");
        assertStopsAt(unmasked, 1, "unmasked client frame");
        assertStopsAt(negative, 9, "payload length out of range");
    }

    private static void assertStopsAt(byte[] stream, int at, String reason) {
        FrameScanner scanner = new FrameScanner();
        assertThat(scanner.scan(stream)).as(reason).isEqualTo(at);
        assertThat(scanner.failure().getMessage()).isEqualTo(reason);
        assertThat(scanner.failure().closeCode()).isEqualTo(WsCloseCodes.PROTOCOL_ERROR);
    }
}
