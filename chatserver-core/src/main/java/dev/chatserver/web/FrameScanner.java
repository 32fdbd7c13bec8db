package dev.chatserver.web;

import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;

/**
 * Follows the frames a WebSocket client sends, byte by byte as they arrive and before Helidon reads them, to stop
 * what Helidon 4.5 handles badly and to hand text over undecoded.
 *
 * <ul>
 *   <li>A frame that breaks RFC 6455 section 5 (an unknown opcode, reserved bits, a fragmented or over-long control
 *       frame, a continuation with no message open, a new message while one is open, an unmasked frame) is not
 *       passed on: {@link #scan} stops before it and {@link #failure()} says why, with close code 1002. Helidon
 *       would throw on an unknown opcode and answer with an HTTP 500 in the upgraded stream.</li>
 *   <li>The text and binary opcodes are swapped in place. Helidon decodes each text frame on its own with
 *       replacement characters, which turns invalid UTF-8 into U+FFFD and a character split between frames into two;
 *       as binary, a text message reaches {@link ChatSocket} as bytes, which it decodes strictly. A client's binary
 *       message arrives as text, which ChatSocket refuses as before without looking at it.</li>
 * </ul>
 *
 * <p>Only the headers are read; payloads are skipped unread (masked), and lengths over the web server's frame limit
 * are left to Helidon, which closes with 1009 before reading them.
 *
 * <p>Threads: the connection's thread only, from within Helidon's reads.
 */
final class FrameScanner {

    private static final int FIN = 0x80;
    private static final int RESERVED = 0x70;
    private static final int MASKED = 0x80;
    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PONG = 0xA;
    private static final int MAX_CONTROL_PAYLOAD = 125;

    private enum Part { FIRST_BYTE, LENGTH, EXTENDED_LENGTH, MASK, PAYLOAD }

    private Part part = Part.FIRST_BYTE;
    private boolean control;
    private int lengthBytesLeft;
    private long payloadLeft;
    private int maskBytesLeft;
    /** A data message whose last frame has not come yet. */
    private boolean messageOpen;
    private WsCloseException failure;

    /**
     * Scans the next bytes from the client and swaps text and binary opcodes in them.
     *
     * @param bytes the bytes as read; changed in place
     * @return how many of them may be passed on: all, or fewer when a frame broke the protocol (then no more bytes
     *         may be scanned)
     */
    int scan(byte[] bytes) {
        if (failure != null) throw new IllegalStateException("scanned past a protocol error", failure);
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            switch (part) {
                case FIRST_BYTE -> {
                    failure = firstByte(b);
                    if (failure != null) return i;
                    int opcode = b & 0x0F;
                    if (opcode == TEXT || opcode == BINARY) bytes[i] = (byte) ((b & ~0x0F) | (TEXT + BINARY - opcode));
                    part = Part.LENGTH;
                }
                case LENGTH -> {
                    failure = length(b);
                    if (failure != null) return i;
                }
                case EXTENDED_LENGTH -> {
                    payloadLeft = (payloadLeft << 8) | b;
                    if (--lengthBytesLeft == 0) {
                        if (payloadLeft < 0) {
                            failure = new WsCloseException("payload length out of range", WsCloseCodes.PROTOCOL_ERROR);
                            return i;
                        }
                        part = Part.MASK;
                    }
                }
                case MASK -> {
                    if (--maskBytesLeft == 0) part = payloadLeft == 0 ? Part.FIRST_BYTE : Part.PAYLOAD;
                }
                case PAYLOAD -> {
                    int skipped = (int) Math.min(payloadLeft, bytes.length - i);
                    payloadLeft -= skipped;
                    if (payloadLeft == 0) part = Part.FIRST_BYTE;
                    i += skipped;
                    continue;
                }
            }
            i++;
        }
        return bytes.length;
    }

    /** @return why the connection must close, once {@link #scan} stopped short */
    WsCloseException failure() {
        return failure;
    }

    private WsCloseException firstByte(int b) {
        int opcode = b & 0x0F;
        boolean fin = (b & FIN) != 0;
        if ((b & RESERVED) != 0) return protocolError("reserved bits set");
        control = opcode >= CLOSE;
        if (control) {
            if (opcode > PONG) return protocolError(String.format("unknown opcode 0x%X", opcode));
            return fin ? null : protocolError("fragmented control frame");
        }
        switch (opcode) {
            case CONTINUATION -> {
                if (!messageOpen) return protocolError("continuation frame with no message open");
            }
            case TEXT, BINARY -> {
                if (messageOpen) return protocolError("new message before the last one ended");
            }
            default -> {
                return protocolError(String.format("unknown opcode 0x%X", opcode));
            }
        }
        messageOpen = !fin;
        return null;
    }

    private WsCloseException length(int b) {
        if ((b & MASKED) == 0) return protocolError("unmasked client frame");
        int length = b & 0x7F;
        if (control && length > MAX_CONTROL_PAYLOAD) return protocolError("control frame longer than 125 bytes");
        maskBytesLeft = 4;
        if (length < 126) {
            payloadLeft = length;
            part = Part.MASK;
        } else {
            payloadLeft = 0;
            lengthBytesLeft = length == 126 ? 2 : 8;
            part = Part.EXTENDED_LENGTH;
        }
        return null;
    }

    private static WsCloseException protocolError(String reason) {
        return new WsCloseException(reason, WsCloseCodes.PROTOCOL_ERROR);
    }
}
