package dev.chatserver.engine;

import dev.chatserver.metrics.ChatMetrics;
import dev.chatserver.metrics.Rejection;
import java.util.Locale;

/**
 * A reply's listener that first counts the reply's end into the metrics, then passes it on. Runs on the reply's
 * delivery thread, so counting costs the engine thread nothing; it counts before the listener hears of the end,
 * so a client that got its end message sees it counted.
 */
final class CountingListener implements ReplyListener {

    private final ReplyListener listener;
    private final ChatMetrics metrics;

    private CountingListener(ReplyListener listener, ChatMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    /**
     * @param listener the application's listener
     * @param metrics  where to count
     * @return the listener itself when nothing is counted, else one that counts
     */
    static ReplyListener of(ReplyListener listener, ChatMetrics metrics) {
        return metrics == ChatMetrics.none() ? listener : new CountingListener(listener, metrics);
    }

    @Override
    public void onText(String piece) {
        listener.onText(piece);
    }

    @Override
    public void onComplete(Completion completion) {
        ReplyStats stats = completion.stats();
        long firstToken = stats.generatedTokens() > 0 ? stats.timeToFirstToken().toNanos() : -1;
        metrics.replyEnded(completion.reason().name().toLowerCase(Locale.ROOT), stats.promptTokens(),
                stats.generatedTokens(), firstToken);
        switch (completion.reason()) {
            case BUSY -> metrics.rejected(Rejection.BUSY);
            case CONTEXT_FULL -> metrics.rejected(Rejection.CONTEXT_FULL);
            default -> { }
        }
        listener.onComplete(completion);
    }
}
