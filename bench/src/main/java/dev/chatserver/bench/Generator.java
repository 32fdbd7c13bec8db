package dev.chatserver.bench;

/**
 * One implementation under test in {@link ThroughputBenchmark}: it owns a loaded model and answers the same
 * prompt in {@code n} concurrent sessions per round. Created, used and closed by the JMH benchmark thread.
 */
sealed interface Generator extends AutoCloseable permits EngineGenerator, LlamaServerGenerator, NodeLlamaGenerator {

    /**
     * Starts {@code sessions} replies to {@code userText} at once and waits for all of them.
     *
     * @throws IllegalStateException when a reply fails or does not finish in time
     */
    RoundResult round(int sessions, String userText) throws InterruptedException;

    @Override
    void close();
}
