package dev.chatserver.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the raw bytes of token pieces into text made of whole characters.
 *
 * <p>A token piece is a run of bytes that may end inside a multi-byte UTF-8 character (byte-fallback vocabularies
 * spell an emoji as four one-byte tokens). The assembler holds back such an incomplete tail until the next piece
 * completes it; bytes that can never become a valid character come out as U+FFFD. Owned and used by the engine
 * thread, one instance per reply.
 */
final class Utf8Assembler {

    /** At most three bytes of an unfinished character are ever held back. */
    private final byte[] held = new byte[3];
    private int heldLength;

    /**
     * Adds the bytes of one piece.
     *
     * @param bytes the piece's raw bytes
     * @return the text that is now complete, possibly empty
     */
    String append(byte[] bytes) {
        byte[] all;
        if (heldLength == 0) {
            all = bytes;
        } else {
            all = Arrays.copyOf(held, heldLength + bytes.length);
            System.arraycopy(bytes, 0, all, heldLength, bytes.length);
        }
        int complete = all.length - incompleteTail(all);
        heldLength = all.length - complete;
        System.arraycopy(all, complete, held, 0, heldLength);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /**
     * Ends the text: bytes still held can no longer be completed.
     *
     * @return U+FFFD for an unfinished character, or empty
     */
    String finish() {
        String rest = new String(held, 0, heldLength, StandardCharsets.UTF_8);
        heldLength = 0;
        return rest;
    }

    /**
     * The length of a tail that is the start of a valid multi-byte character still missing bytes; 0 if none.
     * Only the last three bytes are examined: a lead byte announces at most three continuation bytes.
     */
    static int incompleteTail(byte[] bytes) {
        int end = bytes.length;
        for (int start = end - 1; start >= Math.max(0, end - 3); start--) {
            int b = bytes[start] & 0xFF;
            if (isContinuation(b)) continue;
            int needed = sequenceLength(b);
            int have = end - start;
            if (needed <= have) return 0;
            return startsValidSequence(bytes, start, have) ? have : 0;
        }
        return 0;
    }

    private static boolean isContinuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    /** Length a lead byte announces; 1 for ASCII and for bytes that cannot start a character. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) return 2;
        if (lead >= 0xE0 && lead <= 0xEF) return 3;
        if (lead >= 0xF0 && lead <= 0xF4) return 4;
        return 1;
    }

    /** Whether the second byte is allowed after this lead (rules out overlong forms, surrogates, > U+10FFFF). */
    private static boolean startsValidSequence(byte[] bytes, int start, int have) {
        if (have < 2) return true;
        int lead = bytes[start] & 0xFF;
        int second = bytes[start + 1] & 0xFF;
        return switch (lead) {
            case 0xE0 -> second >= 0xA0;
            case 0xED -> second <= 0x9F;
            case 0xF0 -> second >= 0x90;
            case 0xF4 -> second <= 0x8F;
            default -> true;
        };
    }
}
