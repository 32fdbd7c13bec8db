package dev.chatserver.llama;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes GGUF headers byte by byte, including broken ones, to see how loading fails. Little-endian, as GGUF is.
 */
final class GgufBytes {

    static final int TYPE_UINT32 = 4;
    static final int TYPE_STRING = 8;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Starts a header: magic, version, tensor count, metadata count. */
    static GgufBytes header(int version, long tensorCount, long kvCount) {
        GgufBytes g = new GgufBytes();
        g.raw("GGUF".getBytes(StandardCharsets.US_ASCII));
        g.u32(version);
        g.u64(tensorCount);
        g.u64(kvCount);
        return g;
    }

    GgufBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    GgufBytes u32(int v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    GgufBytes u64(long v) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    GgufBytes string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        return raw(b);
    }

    /** A metadata entry with a string value. */
    GgufBytes kv(String key, String value) {
        string(key);
        u32(TYPE_STRING);
        return string(value);
    }

    /** A metadata entry with a uint32 value. */
    GgufBytes kv(String key, int value) {
        string(key);
        u32(TYPE_UINT32);
        return u32(value);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
