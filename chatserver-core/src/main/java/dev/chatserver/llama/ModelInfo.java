package dev.chatserver.llama;

/**
 * What a loaded model is.
 *
 * @param name                {@code general.name}, or the file name without {@code .gguf} when absent
 * @param architecture        {@code general.architecture}, e.g. {@code llama}, {@code qwen2}
 * @param parameters          number of weights
 * @param sizeBytes           bytes of all tensors
 * @param trainingContext     context length the model was trained with, in tokens
 * @param vocabularySize      number of tokens in the vocabulary
 */
public record ModelInfo(String name, String architecture, long parameters, long sizeBytes, int trainingContext,
                        int vocabularySize) {
}
