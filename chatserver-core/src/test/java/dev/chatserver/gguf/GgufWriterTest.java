package dev.chatserver.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWriterTest {

    @TempDir
    Path dir;

    private static Map<String, GgufValue> everyValueType() {
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        metadata.put("general.architecture", GgufValue.of("llama"));
        metadata.put("general.alignment", GgufValue.uint32(64));
        metadata.put("test.uint8", new GgufValue.IntValue(GgufValueType.UINT8, 255));
        metadata.put("test.int8", new GgufValue.IntValue(GgufValueType.INT8, -128));
        metadata.put("test.uint16", new GgufValue.IntValue(GgufValueType.UINT16, 65_535));
        metadata.put("test.int16", new GgufValue.IntValue(GgufValueType.INT16, -32_768));
        metadata.put("test.uint32", GgufValue.uint32(4_294_967_295L));
        metadata.put("test.int32", GgufValue.int32(Integer.MIN_VALUE));
        metadata.put("test.uint64", new GgufValue.IntValue(GgufValueType.UINT64, -1)); // 2^64 - 1
        metadata.put("test.int64", new GgufValue.IntValue(GgufValueType.INT64, Long.MIN_VALUE));
        metadata.put("test.float32", GgufValue.float32(1.5e-5f));
        metadata.put("test.float64", new GgufValue.FloatValue(GgufValueType.FLOAT64, Math.PI));
        metadata.put("test.bool", GgufValue.of(true));
        metadata.put("test.string", GgufValue.of("héllo 你好 🙂"));
        metadata.put("test.empty_string", GgufValue.of(""));
        metadata.put("test.strings", GgufValue.stringArray(List.of("<unk>", "▁the", "")));
        metadata.put("test.floats", GgufValue.float32Array(new float[] {0f, -1.25f}));
        metadata.put("test.empty_ints", GgufValue.int32Array(new int[0]));
        metadata.put("test.nested", new GgufValue.ArrayValue(GgufValueType.ARRAY, List.of(
                GgufValue.int32Array(new int[] {1, 2}), GgufValue.stringArray(List.of("x")))));
        return metadata;
    }

    /** Bytes 0, 1, 2, ... (mod 251) of the given length, streamed in chunks of 7. */
    private static TensorData counting(long length) {
        return out -> {
            for (long i = 0; i < length; i += 7) {
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(7, length - i));
                for (int j = 0; chunk.hasRemaining(); j++) {
                    chunk.put((byte) ((i + j) % 251));
                }
                out.write(chunk.flip());
            }
        };
    }

    private static List<TensorSource> tensors() {
        return List.of(
                new TensorSource("a.weight", List.of(4L, 3L), GgmlType.F32, counting(48)),
                new TensorSource("b.weight", List.of(64L, 2L), GgmlType.Q8_0, counting(4 * 34)),
                new TensorSource("c.weight", List.of(3L), GgmlType.F16, counting(6)),
                new TensorSource("d.weight", List.of(256L, 1L, 2L, 1L), GgmlType.Q4_K, counting(2 * 144)));
    }

    @Test
    void writtenFileReadsBackWithTheSameMetadataAndTensors() throws IOException {
        Path file = dir.resolve("model.gguf");
        GgufWriter.write(file, everyValueType(), tensors());

        GgufFile read = GgufReader.read(file);

        assertThat(read.version()).isEqualTo(3);
        assertThat(read.metadata()).containsExactlyEntriesOf(everyValueType());
        assertThat(read.alignment()).isEqualTo(64);
        assertThat(read.dataOffset() % 64).isZero();
        assertThat(read.tensors()).extracting(GgufTensorInfo::name, GgufTensorInfo::shape, GgufTensorInfo::type)
                .containsExactlyElementsOf(tensors().stream()
                        .map(t -> org.assertj.core.groups.Tuple.tuple(t.name(), t.shape(), t.type())).toList());
        assertThat(read.tensors()).extracting(GgufTensorInfo::offset).containsExactly(0L, 64L, 256L, 320L);
        assertThat(Files.size(file)).isEqualTo(read.dataOffset() + 320 + 2 * 144 + 32 /* padding to 64 */);
        assertThat(Files.exists(dir.resolve("model.gguf.tmp"))).isFalse();
    }

    @Test
    void tensorBytesLandAtTheirOffsets() throws IOException {
        Path file = dir.resolve("model.gguf");
        GgufWriter.write(file, everyValueType(), tensors());
        GgufFile read = GgufReader.read(file);

        try (FileChannel channel = FileChannel.open(file)) {
            for (GgufTensorInfo tensor : read.tensors()) {
                ByteBuffer bytes = ByteBuffer.allocate((int) tensor.byteSize());
                channel.read(bytes, read.dataOffset() + tensor.offset());
                for (int i = 0; i < bytes.capacity(); i++) {
                    assertThat(bytes.get(i)).as("byte %d of %s", i, tensor.name()).isEqualTo((byte) (i % 251));
                }
            }
        }
    }

    @Test
    void aSourceWritingTheWrongByteCountFailsAndLeavesNoFile() {
        Path file = dir.resolve("model.gguf");
        List<TensorSource> wrong = List.of(new TensorSource("a.weight", List.of(4L), GgmlType.F32, counting(15)));

        assertThatThrownBy(() -> GgufWriter.write(file, Map.of(), wrong))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a.weight").hasMessageContaining("15 bytes instead of 16");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void badTensorListsAreRefused() {
        TensorSource tensor = new TensorSource("a.weight", List.of(4L), GgmlType.F32, counting(16));
        assertThatThrownBy(() -> GgufWriter.write(dir.resolve("m.gguf"), Map.of(), List.of(tensor, tensor)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate tensor name a.weight");
        assertThatThrownBy(() -> new TensorSource("q", List.of(40L), GgmlType.Q8_0, counting(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blocks of 32");
        assertThatThrownBy(() -> GgufWriter.write(dir.resolve("m.gguf"),
                Map.of("general.alignment", GgufValue.uint32(48)), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    }

    @Test
    void valuesOutsideTheirTypeAreRefused() {
        assertThatThrownBy(() -> new GgufValue.IntValue(GgufValueType.UINT8, 256))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GgufValue.IntValue(GgufValueType.STRING, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GgufValue.ArrayValue(GgufValueType.INT32, List.of(GgufValue.of("x"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
