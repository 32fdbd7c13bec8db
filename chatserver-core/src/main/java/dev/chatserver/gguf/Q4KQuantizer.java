package dev.chatserver.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Quantises float values into ggml's Q4_K format (type id 12), written from the format's definition.
 *
 * <p>A super-block holds {@value #BLOCK_VALUES} values in {@value #BLOCK_BYTES} bytes, little-endian:
 * <ul>
 *   <li>bytes 0–1: {@code d}, fp16, the step of the sub-blocks' scales;</li>
 *   <li>bytes 2–3: {@code dmin}, fp16, the step of the sub-blocks' minimums;</li>
 *   <li>bytes 4–15: a 6-bit scale {@code sc[j]} and a 6-bit minimum {@code m[j]} for each of the 8 sub-blocks
 *       of 32 values. For {@code j < 4}, {@code sc[j]} and {@code m[j]} are the low 6 bits of bytes {@code j} and
 *       {@code j + 4}; for {@code j >= 4}, byte {@code j + 4} holds the low 4 bits of {@code sc[j]} (low nibble)
 *       and of {@code m[j]} (high nibble), and their top 2 bits are the top 2 bits of bytes {@code j - 4} and
 *       {@code j};</li>
 *   <li>bytes 16–143: the 4-bit quants {@code q} in 4 groups of 32 bytes; group {@code g} holds sub-block
 *       {@code 2g} in its low nibbles and sub-block {@code 2g + 1} in its high nibbles.</li>
 * </ul>
 * A value of sub-block {@code j} is {@code d * sc[j] * q - dmin * m[j]}, {@code q} in 0..15.
 *
 * <p>The choice of scales is the plain minimum/maximum one (no search for a smaller squared error): a sub-block's
 * range runs from its minimum (or 0 when all its values are positive, as the format's offsets only subtract) to its
 * maximum. {@code dmin} and {@code d} are rounded up to fp16, the 6-bit minimums and scales up to whole steps, so
 * that the stored range still covers every value of the sub-block; each value then takes the nearest quant, and
 * its error is at most half the sub-block's stored step {@code d * sc[j]} (which exceeds the ideal
 * {@code range / 15} by less than {@code dmin / 15 + d}).
 *
 * <p>Stateless; any thread.
 */
final class Q4KQuantizer {
    /** Values per super-block. */
    static final int BLOCK_VALUES = 256;
    /** Bytes per super-block. */
    static final int BLOCK_BYTES = 144;
    /** Values per sub-block, each with its own 6-bit scale and minimum. */
    static final int SUB_VALUES = 32;
    private static final int SUBS = BLOCK_VALUES / SUB_VALUES;
    private static final int MAX_QUANT = 15;
    private static final int MAX_SIX_BITS = 63;

    private Q4KQuantizer() {
    }

    /**
     * Writes {@code values} (a whole number of super-blocks) as Q4_K blocks at the buffer's position.
     *
     * @param out a little-endian buffer with room for {@code values.length / 256 * 144} bytes
     * @throws IllegalArgumentException if the length is not a multiple of {@value #BLOCK_VALUES}, a value is not
     *                                  finite or too large for fp16 steps, or the buffer is big-endian
     */
    static void quantize(float[] values, ByteBuffer out) {
        if (out.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("Q4_K blocks are little-endian");
        }
        if (values.length % BLOCK_VALUES != 0) {
            throw new IllegalArgumentException(values.length + " values are not whole Q4_K super-blocks of "
                    + BLOCK_VALUES);
        }
        for (int from = 0; from < values.length; from += BLOCK_VALUES) {
            quantizeBlock(values, from, out);
        }
    }

    private static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        double[] offsets = new double[SUBS]; // -minimum, at least 0
        double[] maximums = new double[SUBS];
        double largestOffset = 0;
        for (int j = 0; j < SUBS; j++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = from + j * SUB_VALUES, end = i + SUB_VALUES; i < end; i++) {
                float value = values[i];
                if (!Float.isFinite(value)) {
                    throw new IllegalArgumentException("value " + value + " at index " + i + " is not finite");
                }
                min = Math.min(min, value);
                max = Math.max(max, value);
            }
            offsets[j] = Math.max(0, -min);
            maximums[j] = max;
            largestOffset = Math.max(largestOffset, offsets[j]);
        }

        short dminBits = fp16AtLeast(largestOffset / MAX_SIX_BITS);
        float dmin = Float.float16ToFloat(dminBits);
        int[] mins = new int[SUBS];
        float[] minValues = new float[SUBS];
        double[] steps = new double[SUBS];
        double largestStep = 0;
        for (int j = 0; j < SUBS; j++) {
            mins[j] = dmin == 0 ? 0 : Math.min(MAX_SIX_BITS, (int) Math.ceil(offsets[j] / dmin));
            minValues[j] = dmin * mins[j];
            // The step that makes the range [-minValue, -minValue + 15 * step] reach the sub-block's maximum.
            steps[j] = Math.max(0, (maximums[j] + minValues[j]) / MAX_QUANT);
            largestStep = Math.max(largestStep, steps[j]);
        }
        short dBits = fp16AtLeast(largestStep / MAX_SIX_BITS);
        float d = Float.float16ToFloat(dBits);
        int[] scales = new int[SUBS];
        for (int j = 0; j < SUBS; j++) {
            scales[j] = d == 0 ? 0 : Math.min(MAX_SIX_BITS, (int) Math.ceil(steps[j] / d));
        }

        out.putShort(dBits).putShort(dminBits);
        for (int j = 0; j < 4; j++) {
            out.put((byte) (scales[j] | (scales[j + 4] >> 4) << 6));
        }
        for (int j = 0; j < 4; j++) {
            out.put((byte) (mins[j] | (mins[j + 4] >> 4) << 6));
        }
        for (int j = 4; j < SUBS; j++) {
            out.put((byte) ((scales[j] & 0xF) | (mins[j] & 0xF) << 4));
        }
        byte[] quants = new byte[BLOCK_VALUES];
        for (int j = 0; j < SUBS; j++) {
            float step = d * scales[j];
            for (int i = 0; i < SUB_VALUES; i++) {
                int index = j * SUB_VALUES + i;
                quants[index] = (byte) (step == 0 ? 0
                        : Math.clamp(Math.round((values[from + index] + minValues[j]) / step), 0, MAX_QUANT));
            }
        }
        for (int group = 0; group < SUBS / 2; group++) {
            int low = group * 2 * SUB_VALUES;
            for (int i = 0; i < SUB_VALUES; i++) {
                out.put((byte) (quants[low + i] | quants[low + SUB_VALUES + i] << 4));
            }
        }
    }

    /** The smallest non-negative fp16 value at least {@code value}. */
    private static short fp16AtLeast(double value) {
        short bits = Float.floatToFloat16((float) value);
        if (Float.float16ToFloat(bits) < value) {
            bits++; // for non-negative fp16 values the next bit pattern is the next larger value
        }
        if (!Float.isFinite(Float.float16ToFloat(bits))) {
            throw new IllegalArgumentException("values up to " + value * MAX_SIX_BITS * MAX_QUANT
                    + " are too large for Q4_K's fp16 steps");
        }
        return bits;
    }
}
