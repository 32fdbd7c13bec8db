package dev.chatserver.metrics;

import java.util.function.IntSupplier;

/** {@link ChatMetrics#none()}: every call does nothing. Stateless. */
final class NoMetrics implements ChatMetrics {

    static final NoMetrics INSTANCE = new NoMetrics();
    private static final Registration NOTHING = () -> { };

    private NoMetrics() {
    }

    @Override
    public void connectionOpened(Transport transport) {
    }

    @Override
    public void connectionClosed(Transport transport) {
    }

    @Override
    public Registration trackConnections(Transport transport, IntSupplier open) {
        return NOTHING;
    }

    @Override
    public Registration trackEngine(EngineLoad load) {
        return NOTHING;
    }

    @Override
    public void rejected(Rejection rejection) {
    }

    @Override
    public void replyEnded(String reason, int promptTokens, int generatedTokens, long firstTokenNanos) {
    }

    @Override
    public void decodeStep(long nanos) {
    }
}
