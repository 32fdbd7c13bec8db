package dev.chatserver.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code model info} shows about a GGUF model, read from its header only (no natives, no tensor data).
 *
 * <p>Immutable; safe on any thread.
 *
 * @param name                {@code general.name}, or the file name without {@code .gguf} when absent
 * @param architecture        {@code general.architecture}, or {@code "unknown"} when absent
 * @param parameterCount      sum of the element counts of all tensors
 * @param fileSize            file size in bytes
 * @param contextLength       training context in tokens ({@code <architecture>.context_length}; 0 when absent)
 * @param vocabularySize      tokens in {@code tokenizer.ggml.tokens} (else {@code <architecture>.vocab_size}, else 0)
 * @param chatTemplatePresent whether {@code tokenizer.chat_template} is present
 * @param mainTensorType      the type holding the most tensor elements (empty for a file without tensors)
 */
public record ModelSummary(String name, String architecture, long parameterCount, long fileSize, long contextLength,
                           long vocabularySize, boolean chatTemplatePresent, Optional<GgmlType> mainTensorType) {

    /** Rejects nulls. */
    public ModelSummary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(mainTensorType, "mainTensorType");
    }

    /**
     * Reads the summary of a GGUF file.
     *
     * @throws GgufFormatException if the file is missing or not a readable GGUF file
     */
    public static ModelSummary of(Path file) throws GgufFormatException {
        return of(GgufReader.read(file), file);
    }

    /**
     * The summary of an already read GGUF file.
     *
     * @param gguf the header of {@code file}
     * @param file the file, for its name and size
     * @throws GgufFormatException if the file's size cannot be read
     */
    public static ModelSummary of(GgufFile gguf, Path file) throws GgufFormatException {
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (IOException e) {
            throw new GgufFormatException(file, "cannot read the file size: " + e.getMessage(), e);
        }
        String architecture = gguf.architecture().orElse("unknown");
        String fileName = file.getFileName().toString();
        String name = gguf.string("general.name")
                .orElse(fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName);
        long vocabulary = gguf.array("tokenizer.ggml.tokens").map(a -> (long) a.elements().size())
                .orElse(gguf.integer(architecture + ".vocab_size").orElse(0));

        long parameters = 0;
        Map<GgmlType, Long> elementsByType = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo tensor : gguf.tensors()) {
            parameters += tensor.elementCount();
            elementsByType.merge(tensor.type(), tensor.elementCount(), Long::sum);
        }
        Optional<GgmlType> mainType = elementsByType.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey);
        return new ModelSummary(name, architecture, parameters, fileSize,
                gguf.integer(architecture + ".context_length").orElse(0), vocabulary,
                gguf.get("tokenizer.chat_template").isPresent(), mainType);
    }
}
