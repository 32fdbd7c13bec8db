package dev.chatserver.bench;

/**
 * One implementation under test in {@link ThroughputBenchmark} and {@link LongPromptBenchmark}: it owns a loaded
 * model and answers the same prompt in {@code n} concurrent sessions per round. Created, used and closed by the JMH
 * benchmark thread.
 */
sealed interface Generator extends AutoCloseable permits EngineGenerator, LlamaServerGenerator, NodeLlamaGenerator {

    /**
     * Starts {@code sessions} replies to {@code userText} at once, each as the first message of an empty
     * conversation, and waits for all of them.
     *
     * @throws IllegalStateException when a reply fails or does not finish in time
     */
    RoundResult round(int sessions, String userText) throws InterruptedException;

    /**
     * Counts, with this implementation's own tokenizer and chat formatting, the tokens it decodes for
     * {@code userText} as the first message of an empty conversation (beginning-of-sequence token and template
     * included), without decoding anything.
     */
    int promptTokens(String userText);

    @Override
    void close();
}
