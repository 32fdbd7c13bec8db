package dev.chatserver.gguf;

import dev.chatserver.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheStoriesModel() throws IOException {
        GgufFile file = GgufReader.read(TestModels.storiesOrSkip());

        assertThat(file.version()).isEqualTo(3);
        assertThat(file.architecture()).contains("llama");
        assertThat(file.array("tokenizer.ggml.tokens").orElseThrow().elements()).hasSize(512);
        assertThat(file.integer("llama.embedding_length")).hasValue(64);
        assertThat(file.get("tokenizer.chat_template")).isEmpty();
        assertThat(file.alignment()).isEqualTo(32);
        assertThat(file.tensor("token_embd.weight").orElseThrow().shape()).containsExactly(64L, 512L);
        assertThat(file.tensors()).hasSize(3 + 5 * 9).allSatisfy(t -> assertThat(t.type()).isEqualTo(GgmlType.F32));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /**
     * A little-endian header: magic, version, tensor count, metadata count, then room for {@code rest} bytes and
     * 64 zero bytes, so that small counts are not mistaken for truncation.
     */
    private static ByteBuffer header(int version, long tensors, long entries, int rest) {
        return ByteBuffer.allocate(24 + rest + 64).order(ByteOrder.LITTLE_ENDIAN)
                .put("GGUF".getBytes()).putInt(version).putLong(tensors).putLong(entries);
    }

    private static void assertRefused(Path file, String... reasonParts) {
        assertThatThrownBy(() -> GgufReader.read(file))
                .isInstanceOfSatisfying(GgufFormatException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.getMessage()).startsWith(file + ": ");
                    assertThat(e.reason()).contains(reasonParts);
                });
    }

    @Test
    void missingFile() {
        assertRefused(dir.resolve("absent.gguf"), "no such file");
    }

    @Test
    void directory() {
        assertRefused(dir, "is a directory");
    }

    @Test
    void emptyFile() throws IOException {
        assertRefused(write("empty.gguf", new byte[0]), "not a GGUF file", "empty");
    }

    @Test
    void notAGgufFile() throws IOException {
        assertRefused(write("notes.gguf", "Hello, this is text.\n".getBytes()), "not a GGUF file", "0x48656c6c");
    }

    @Test
    void versionOneIsRefused() throws IOException {
        assertRefused(write("v1.gguf", header(1, 0, 0, 0).array()), "version 1 is not supported");
    }

    @Test
    void unknownVersionIsRefused() throws IOException {
        assertRefused(write("v9.gguf", header(9, 0, 0, 0).array()), "unsupported GGUF version 9");
    }

    @Test
    void versionTwoIsRead() throws IOException {
        ByteBuffer bytes = header(2, 0, 1, 8 + 3 + 4 + 1);
        bytes.putLong(3).put("abc".getBytes()).putInt(GgufValueType.BOOL.id()).put((byte) 1);
        GgufFile file = GgufReader.read(write("v2.gguf", bytes.array()));

        assertThat(file.version()).isEqualTo(2);
        assertThat(file.metadata()).containsExactly(java.util.Map.entry("abc", GgufValue.of(true)));
    }

    @Test
    void truncatedInTheHeader() throws IOException {
        assertRefused(write("short.gguf", Arrays.copyOf(header(3, 0, 0, 0).array(), 12)), "truncated in the header");
    }

    @Test
    void truncatedInTheMetadata() throws IOException {
        byte[] whole = Files.readAllBytes(TestModels.tiny());
        assertRefused(write("cut.gguf", Arrays.copyOf(whole, 3000)), "truncated in the value of metadata entry",
                "tokenizer.ggml.tokens", "remain");
    }

    @Test
    void truncatedInTheTensorInfos() throws IOException {
        byte[] whole = Files.readAllBytes(TestModels.tiny());
        int dataOffset = (int) GgufReader.read(TestModels.tiny()).dataOffset();
        assertRefused(write("cut.gguf", Arrays.copyOf(whole, dataOffset - 40)), "truncated in the info of tensor");
    }

    @Test
    void truncatedInAString() throws IOException {
        byte[] whole = Files.readAllBytes(TestModels.tiny());
        int templateEnd = indexOf(whole, "{% endif %}".getBytes(StandardCharsets.UTF_8));
        assertRefused(write("cut.gguf", Arrays.copyOf(whole, templateEnd)), "truncated in the value of metadata entry",
                "tokenizer.chat_template", "a string of");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void truncatedInTheTensorData() throws IOException {
        byte[] whole = Files.readAllBytes(TestModels.tiny());
        assertRefused(write("cut.gguf", Arrays.copyOf(whole, whole.length - 100)),
                "truncated in the tensor data", "output.weight");
    }

    @Test
    void absurdCountsAreRefusedBeforeAllocating() throws IOException {
        assertRefused(write("tensors.gguf", header(3, 1L << 40, 0, 0).array()), "absurd tensor count");
        assertRefused(write("entries.gguf", header(3, 0, -1, 0).array()), "absurd metadata entry count",
                "18446744073709551615");

        ByteBuffer longKey = header(3, 0, 1, 8).putLong(1L << 62);
        assertRefused(write("key.gguf", longKey.array()), "absurd string length", "key of metadata entry 0");

        ByteBuffer bigArray = header(3, 0, 1, 8 + 1 + 4 + 4 + 8);
        bigArray.putLong(1).put((byte) 'k').putInt(GgufValueType.ARRAY.id()).putInt(GgufValueType.UINT64.id())
                .putLong(1L << 31);
        assertRefused(write("array.gguf", bigArray.array()), "absurd array length", "\"k\"");
    }

    @Test
    void impossibleTensorInfosAreRefused() throws IOException {
        ByteBuffer dims = header(3, 1, 0, 8 + 1 + 4);
        dims.putLong(1).put((byte) 't').putInt(7);
        assertRefused(write("dims.gguf", dims.array()), "tensor \"t\" has 7 dimensions");

        ByteBuffer type = header(3, 1, 0, 8 + 1 + 4 + 8 + 4 + 8);
        type.putLong(1).put((byte) 't').putInt(1).putLong(32).putInt(99).putLong(0);
        assertRefused(write("type.gguf", type.array()), "unknown ggml type 99");

        ByteBuffer unknownValue = header(3, 0, 1, 8 + 1 + 4);
        unknownValue.putLong(1).put((byte) 'k').putInt(13);
        assertRefused(write("value.gguf", unknownValue.array()), "unknown value type 13");
    }

    @Test
    void ggmlTypeSizes() {
        assertThat(GgmlType.byId(8)).contains(GgmlType.Q8_0);
        assertThat(GgmlType.byId(4)).isEmpty();
        assertThat(GgmlType.Q8_0.byteSize(1536L * 8960)).isEqualTo(1536L * 8960 / 32 * 34);
        assertThat(GgmlType.Q4_K.byteSize(512)).isEqualTo(288);
        assertThat(GgmlType.BF16.byteSize(3)).isEqualTo(6);
        assertThat(List.of(GgmlType.values())).extracting(GgmlType::id).doesNotHaveDuplicates();
        assertThatThrownBy(() -> GgmlType.Q4_0.byteSize(33)).isInstanceOf(IllegalArgumentException.class);
    }
}
