package dev.chatserver.engine;

/**
 * What the engine serves, for clients to show.
 *
 * @param modelName          the model's name (its metadata name, or the file name)
 * @param architecture       e.g. {@code llama}, {@code qwen2}
 * @param parameters         parameter count
 * @param contextPerSession  context tokens per conversation
 * @param parallel           sequences decoded together
 * @param maxTokens          maximum tokens per answer
 * @param runtime            the llama.cpp that runs it, e.g. {@code llama.cpp v0.5.0, CPU backend haswell}
 */
public record EngineInfo(String modelName, String architecture, long parameters, int contextPerSession,
                         int parallel, int maxTokens, String runtime) {
}
