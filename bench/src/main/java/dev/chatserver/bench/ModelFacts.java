package dev.chatserver.bench;

import dev.chatserver.gguf.GgufFile;
import dev.chatserver.gguf.GgufReader;
import dev.chatserver.gguf.GgufTensorInfo;
import dev.chatserver.gguf.GgufValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the benchmarks need to know about a model file, read from its GGUF header in Java (no natives, so any
 * benchmark JVM may read it). Immutable; any thread.
 *
 * @param fileBytes            size of the file: what a decode step reads at least once
 * @param parameters           elements of all tensors
 * @param multipliedParameters elements multiplied for each token: all tensors but the token embedding table, which
 *                             is only looked up (unless the output matrix is tied to it, then it is multiplied too)
 * @param trainingContext      {@code <architecture>.context_length}; 0 when absent
 * @param addsBos              whether llama.cpp puts a beginning-of-sequence token before a prompt it tokenizes
 *                             with its special tokens: {@code tokenizer.ggml.add_bos_token}, else true for a
 *                             SentencePiece ({@code llama}) vocabulary as llama.cpp defaults it, false otherwise
 */
record ModelFacts(long fileBytes, long parameters, long multipliedParameters, long trainingContext, boolean addsBos) {

    /** @throws UncheckedIOException when the file cannot be read as GGUF */
    static ModelFacts of(Path file) {
        try {
            GgufFile gguf = GgufReader.read(file);
            long all = 0;
            for (GgufTensorInfo tensor : gguf.tensors()) all += tensor.elementCount();
            long lookedUp = gguf.tensor("output.weight").isPresent()
                    ? gguf.tensor("token_embd.weight").map(GgufTensorInfo::elementCount).orElse(0L) : 0;
            long context = gguf.architecture().stream()
                    .mapToLong(arch -> gguf.integer(arch + ".context_length").orElse(0)).findFirst().orElse(0);
            boolean bos = gguf.get("tokenizer.ggml.add_bos_token")
                    .map(v -> v instanceof GgufValue.BoolValue b && b.value())
                    .orElseGet(() -> gguf.string("tokenizer.ggml.model").orElse("").equals("llama"));
            return new ModelFacts(Files.size(file), all, all - lookedUp, context, bos);
        } catch (IOException e) { // a GgufFormatException names the file and the problem
            throw new UncheckedIOException("cannot read the model " + file + ": " + e.getMessage(), e);
        }
    }
}
