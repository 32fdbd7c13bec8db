package dev.chatserver.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A plain reading of ggml's Q4_K super-block (see {@link Q4KQuantizer} for the layout), independent of the
 * quantiser: the tests dequantise with it. Stateless; any thread.
 */
final class Q4KReference {

    private Q4KReference() {
    }

    /** One decoded super-block: its 256 values and each sub-block's step {@code d * sc} and offset {@code dmin * m}. */
    record Block(float[] values, float[] steps, float[] offsets, float d, float dmin) {
    }

    /** Decodes the super-block at {@code block}'s position (144 bytes); leaves the position unchanged. */
    static Block decode(ByteBuffer block) {
        ByteBuffer in = block.slice().order(ByteOrder.LITTLE_ENDIAN);
        float d = Float.float16ToFloat(in.getShort(0));
        float dmin = Float.float16ToFloat(in.getShort(2));
        int[] packed = new int[12];
        for (int i = 0; i < 12; i++) packed[i] = in.get(4 + i) & 0xFF;
        float[] steps = new float[8];
        float[] offsets = new float[8];
        for (int j = 0; j < 8; j++) {
            int scale;
            int min;
            if (j < 4) {
                scale = packed[j] & 0x3F;
                min = packed[j + 4] & 0x3F;
            } else {
                scale = (packed[j + 4] & 0x0F) | (packed[j - 4] >> 6) << 4;
                min = (packed[j + 4] >> 4) | (packed[j] >> 6) << 4;
            }
            steps[j] = d * scale;
            offsets[j] = dmin * min;
        }
        float[] values = new float[256];
        for (int i = 0; i < 128; i++) {
            int quants = in.get(16 + i) & 0xFF;
            int group = i / 32;
            int low = group * 64 + i % 32; // sub-block 2 * group
            int high = low + 32;           // sub-block 2 * group + 1
            values[low] = steps[2 * group] * (quants & 0x0F) - offsets[2 * group];
            values[high] = steps[2 * group + 1] * (quants >> 4) - offsets[2 * group + 1];
        }
        return new Block(values, steps, offsets, d, dmin);
    }

    /** Decodes {@code count} values (whole super-blocks) from the buffer's position on. */
    static float[] dequantize(ByteBuffer data, int count) {
        float[] values = new float[count];
        ByteBuffer in = data.slice();
        for (int from = 0; from < count; from += 256) {
            System.arraycopy(decode(in.slice(from / 256 * 144, 144)).values(), 0, values, from, 256);
        }
        return values;
    }
}
