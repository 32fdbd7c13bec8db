package dev.chatserver.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * Pseudo-random weights of one synthetic tensor: values uniform in {@code [-range, range]} (times a per-row
 * factor), drawn from a {@link SplittableRandom} seeded per tensor, generated into a reusable 1 MiB buffer and
 * streamed out. Q8_0 draws its 8-bit quants straight from random bits (8 per {@code nextLong}), which keeps a
 * multi-gigabyte model to seconds. Q4_K draws the same values as F32 and quantises each row with
 * {@link Q4KQuantizer}, so a Q4_K tensor is its F32 twin (same seed) to within the quantisation error.
 *
 * <p>Runs on the thread running {@link GgufWriter#write}.
 *
 * @param seed      seed of this tensor's generator
 * @param rows      number of rows (product of all dimensions but the first)
 * @param rowLength values per row (the first dimension)
 * @param type      F32, F16, Q8_0 or Q4_K
 * @param range     largest absolute value, before the row factor
 * @param rowFactor factor per row index (e.g. to make some output tokens unlikely); {@code r -> 1} for none
 */
record SyntheticWeights(long seed, long rows, int rowLength, GgmlType type, double range,
                        IntToDoubleFunction rowFactor) implements TensorData {
    private static final int CHUNK_BYTES = 1 << 20;
    /** Quants are drawn from [-127, 127]; -128 is mapped to -127 as ggml's quantiser never emits it. */
    private static final int MAX_QUANT = 127;

    /** A tensor whose values are all {@code value} (norm weights). */
    static TensorData constant(long elements, float value) {
        return out -> {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < elements; i++) {
                if (buffer.remaining() < Float.BYTES) {
                    drain(buffer, out);
                }
                buffer.putFloat(value);
            }
            drain(buffer, out);
        };
    }

    @Override
    public void writeTo(WritableByteChannel out) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int rowBytes = Math.toIntExact(type.byteSize(rowLength));
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(CHUNK_BYTES, rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] quants = new byte[rowLength];
        float[] values = type == GgmlType.Q4_K ? new float[rowLength] : null;
        for (long row = 0; row < rows; row++) {
            if (buffer.remaining() < rowBytes) {
                drain(buffer, out);
            }
            double limit = range * rowFactor.applyAsDouble((int) Math.min(row, Integer.MAX_VALUE));
            switch (type) {
                case F32 -> {
                    for (int i = 0; i < rowLength; i++) {
                        buffer.putFloat((float) ((random.nextDouble() * 2 - 1) * limit));
                    }
                }
                case F16 -> {
                    for (int i = 0; i < rowLength; i++) {
                        buffer.putShort(Float.floatToFloat16((float) ((random.nextDouble() * 2 - 1) * limit)));
                    }
                }
                case Q8_0 -> {
                    short scale = Float.floatToFloat16((float) (limit / MAX_QUANT));
                    randomQuants(random, quants);
                    for (int block = 0; block < rowLength; block += 32) {
                        buffer.putShort(scale).put(quants, block, 32);
                    }
                }
                case Q4_K -> {
                    for (int i = 0; i < rowLength; i++) {
                        values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
                    }
                    Q4KQuantizer.quantize(values, buffer);
                }
                default -> throw new IllegalStateException("no synthetic weights of type " + type);
            }
        }
        drain(buffer, out);
    }

    private static void randomQuants(SplittableRandom random, byte[] quants) {
        for (int i = 0; i < quants.length; i += 8) {
            long bits = random.nextLong();
            for (int j = 0; j < 8; j++) {
                byte quant = (byte) (bits >>> (8 * j));
                quants[i + j] = quant == Byte.MIN_VALUE ? -MAX_QUANT : quant;
            }
        }
    }

    private static void drain(ByteBuffer buffer, WritableByteChannel out) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }
}
