package dev.chatserver.llama;

import dev.chatserver.gguf.GgufValue;
import dev.chatserver.gguf.GgufWriter;
import dev.chatserver.gguf.SyntheticModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tiny synthetic model with one metadata value changed, to see how llama.cpp takes it. */
final class ModelVariants {

    private ModelVariants() {
    }

    /**
     * @param dir   where to write the file
     * @param key   metadata key to set
     * @param value its new string value
     * @return a complete model file, {@code dir/<key>.gguf}
     */
    static Path tinyWith(Path dir, String key, String value) throws IOException {
        SyntheticModel tiny = SyntheticModel.tiny();
        Map<String, GgufValue> metadata = new LinkedHashMap<>(tiny.metadata());
        metadata.put(key, GgufValue.of(value));
        Path file = dir.resolve(key + ".gguf");
        GgufWriter.write(file, metadata, tiny.tensors());
        return file;
    }
}
