package dev.chatserver.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Q4KQuantizer} against the format as {@link Q4KReference} decodes it, and the Q4_K tensors of a synthetic
 * model file. No natives.
 */
class Q4KQuantizerTest {

    /** The smallest synthetic shape whose rows are whole super-blocks. */
    static final SyntheticModel WIDE = SyntheticModel.builder().embd(256).feedForward(768).heads(8).kvHeads(2)
            .type(GgmlType.Q4_K).name("synthetic-256-q4_k").build();

    @TempDir
    Path dir;

    /** Rows of known shapes, 1536 values each (six super-blocks). */
    private static Map<String, float[]> knownRows() {
        Map<String, float[]> rows = new LinkedHashMap<>();
        int n = 1536;
        rows.put("ramp -1..1", fill(n, i -> -1 + 2.0 * i / (n - 1)));
        SplittableRandom random = new SplittableRandom(7);
        rows.put("uniform ±1", fill(n, i -> random.nextDouble() * 2 - 1));
        rows.put("uniform ±0.01", fill(n, i -> (random.nextDouble() * 2 - 1) * 0.01));
        rows.put("uniform ±300", fill(n, i -> (random.nextDouble() * 2 - 1) * 300));
        rows.put("positive only 0.5..2", fill(n, i -> 0.5 + 1.5 * random.nextDouble()));
        rows.put("negative only -2..-0.5", fill(n, i -> -0.5 - 1.5 * random.nextDouble()));
        rows.put("constant 0.3", fill(n, i -> 0.3));
        rows.put("constant -0.3", fill(n, i -> -0.3));
        rows.put("alternating ±1", fill(n, i -> i % 2 == 0 ? 1 : -1));
        // Sub-blocks of very different ranges share d and dmin: the small ones get coarse 6-bit scales.
        rows.put("ranges 1e-4 to 10 by sub-block", fill(n, i -> (random.nextDouble() * 2 - 1)
                * Math.pow(10, (i / 32) % 6 - 4)));
        rows.put("one outlier per block", fill(n, i -> i % 256 == 100 ? 50 : random.nextDouble() - 0.5));
        return rows;
    }

    private static float[] fill(int n, java.util.function.IntToDoubleFunction value) {
        float[] row = new float[n];
        for (int i = 0; i < n; i++) row[i] = (float) value.applyAsDouble(i);
        return row;
    }

    private static ByteBuffer quantize(float[] row) {
        ByteBuffer out = ByteBuffer.allocate(row.length / 256 * 144).order(ByteOrder.LITTLE_ENDIAN);
        Q4KQuantizer.quantize(row, out);
        assertThat(out.position()).as("bytes written").isEqualTo(row.length / 256 * 144);
        return out.flip();
    }

    @Test
    void everyValueIsWithinHalfItsSubBlocksStepAndTheStepIsCloseToTheIdealOne() {
        for (Map.Entry<String, float[]> entry : knownRows().entrySet()) {
            float[] row = entry.getValue();
            ByteBuffer data = quantize(row);
            double worst = 0;
            double worstRelative = 0;
            for (int block = 0; block < row.length / 256; block++) {
                Q4KReference.Block decoded = Q4KReference.decode(data.slice(block * 144, 144));
                for (int j = 0; j < 8; j++) {
                    float min = Float.POSITIVE_INFINITY;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < 32; i++) {
                        float value = row[block * 256 + j * 32 + i];
                        min = Math.min(min, value);
                        max = Math.max(max, value);
                    }
                    float step = decoded.steps()[j];
                    // The plain choice: range from min (or 0) to max in 15 steps, rounded up to 6-bit multiples.
                    double ideal = (max - Math.min(0, min)) / 15.0;
                    assertThat((double) step).as("%s, block %d, sub-block %d: step", entry.getKey(), block, j)
                            .isLessThanOrEqualTo(ideal + decoded.dmin() / 15.0 + decoded.d() + 1e-6 * ideal);
                    for (int i = 0; i < 32; i++) {
                        int index = j * 32 + i;
                        float value = row[block * 256 + index];
                        double error = Math.abs(decoded.values()[index] - value);
                        double slack = 8 * Math.ulp(Math.abs(value) + decoded.offsets()[j]);
                        assertThat(error).as("%s, value %d = %s", entry.getKey(), block * 256 + index, value)
                                .isLessThanOrEqualTo(step / 2.0 + slack);
                        worst = Math.max(worst, error);
                        worstRelative = Math.max(worstRelative, step == 0 ? 0 : error / step);
                    }
                }
            }
            System.out.printf("Q4_K %-32s max |error| %.3g, %.3f of its sub-block's step%n", entry.getKey(), worst,
                    worstRelative);
        }
    }

    @Test
    void uniformValuesInPlusMinusOneAreKeptToAboutOneThirtiethOfTheRange() {
        float[] row = knownRows().get("uniform ±1");
        float[] decoded = Q4KReference.dequantize(quantize(row), row.length);
        double worst = 0;
        for (int i = 0; i < row.length; i++) worst = Math.max(worst, Math.abs(decoded[i] - row[i]));
        // Half a step of 2/15, plus the 6-bit rounding of scale and minimum: at most about 0.075.
        assertThat(worst).isLessThan(0.075).isGreaterThan(0.03);
    }

    @Test
    void aBlockOfZerosIsAllZeroBytes() {
        ByteBuffer data = quantize(new float[256]);
        assertThat(data.remaining()).isEqualTo(144);
        while (data.hasRemaining()) assertThat(data.get()).isZero();
    }

    @Test
    void theTypeIsGgmlsQ4KWith144BytesPer256Values() {
        assertThat(GgmlType.Q4_K.id()).isEqualTo(12);
        assertThat(GgmlType.byId(12)).contains(GgmlType.Q4_K);
        assertThat(GgmlType.Q4_K.blockSize()).isEqualTo(256);
        assertThat(GgmlType.Q4_K.bytesPerBlock()).isEqualTo(144);
        assertThat(GgmlType.Q4_K.byteSize(1536L * 8960)).isEqualTo(1536L * 8960 / 256 * 144);
        assertThat(quantize(new float[1536]).remaining()).isEqualTo(6 * 144);
    }

    @Test
    void partialBlocksNonFiniteValuesAndBigEndianBuffersAreRefused() {
        ByteBuffer out = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> Q4KQuantizer.quantize(new float[100], out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100 values");
        float[] row = new float[256];
        row[17] = Float.NaN;
        assertThatThrownBy(() -> Q4KQuantizer.quantize(row, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 17");
        assertThatThrownBy(() -> Q4KQuantizer.quantize(new float[256], ByteBuffer.allocate(144)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("little-endian");
    }

    @Test
    void aShapeWhoseRowsAreNotWholeSuperBlocksIsRefusedNamingTheSizes() {
        assertThatThrownBy(() -> SyntheticModel.builder().type(GgmlType.Q4_K).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Q4_K needs embd and feedForward to be multiples of 256")
                .hasMessageContaining("embd 64").hasMessageContaining("feedForward 192");
        assertThatThrownBy(() -> WIDE.toBuilder().feedForward(800).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feedForward 800");
    }

    @Test
    void aQ4KModelFileHoldsQ4KMatricesThatDecodeToItsF32TwinWithinTheBound() throws IOException {
        Path q4k = dir.resolve("q4k.gguf");
        WIDE.write(q4k);
        Path f32 = dir.resolve("f32.gguf");
        WIDE.toBuilder().type(GgmlType.F32).build().write(f32);
        GgufFile file = GgufReader.read(q4k);
        GgufFile twin = GgufReader.read(f32);

        assertThat(file.integer("general.file_type")).hasValue(15); // LLAMA_FTYPE_MOSTLY_Q4_K_M
        for (GgufTensorInfo tensor : file.tensors()) {
            GgmlType expected = tensor.shape().size() == 1 ? GgmlType.F32 : GgmlType.Q4_K;
            assertThat(tensor.type()).as(tensor.name()).isEqualTo(expected);
            if (expected == GgmlType.Q4_K) {
                assertThat(tensor.type().id()).isEqualTo(12);
                assertThat(tensor.byteSize()).as(tensor.name()).isEqualTo(tensor.elementCount() / 256 * 144);
            }
        }
        assertThat(ModelSummary.of(q4k).mainTensorType()).contains(GgmlType.Q4_K);

        for (String name : new String[] {"token_embd.weight", "blk.1.ffn_down.weight", "output.weight"}) {
            GgufTensorInfo tensor = file.tensor(name).orElseThrow();
            int count = Math.toIntExact(tensor.elementCount());
            ByteBuffer data = read(q4k, file.dataOffset() + tensor.offset(), tensor.byteSize());
            float[] decoded = Q4KReference.dequantize(data, count);
            GgufTensorInfo twinTensor = twin.tensor(name).orElseThrow();
            ByteBuffer original = read(f32, twin.dataOffset() + twinTensor.offset(), twinTensor.byteSize());
            double worstOverStep = 0;
            for (int block = 0; block < count / 256; block++) {
                Q4KReference.Block b = Q4KReference.decode(data.slice(block * 144, 144));
                for (int i = 0; i < 256; i++) {
                    float value = original.getFloat((block * 256 + i) * 4);
                    float step = b.steps()[i / 32];
                    double error = Math.abs(decoded[block * 256 + i] - value);
                    assertThat(error).as("%s value %d", name, block * 256 + i)
                            .isLessThanOrEqualTo(step / 2.0 + 8 * Math.ulp(Math.abs(value) + b.offsets()[i / 32]));
                    worstOverStep = Math.max(worstOverStep, error / step);
                }
            }
            System.out.printf("Q4_K file: %s decodes to its F32 twin within %.3f of a step%n", name, worstOverStep);
        }

        Path again = dir.resolve("again.gguf");
        WIDE.write(again);
        assertThat(SyntheticModelTest.sha256(again)).isEqualTo(SyntheticModelTest.sha256(q4k));
    }

    private static ByteBuffer read(Path file, long position, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) throw new IOException("short file");
            }
        }
        return buffer.flip();
    }
}
