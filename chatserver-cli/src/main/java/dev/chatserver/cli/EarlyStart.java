package dev.chatserver.cli;

import dev.chatserver.llama.LlamaRuntime;
import dev.chatserver.metrics.ChatMetrics;
import dev.chatserver.metrics.PrometheusMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every {@code server} start needs whatever its options, begun on threads of their own while picocli reads
 * the options on the main thread, so that it is ready, or nearly, when the options are checked: the native library
 * ({@link LlamaRuntime#loadInBackground()}) and the metrics registry. A start that fails before it needs them has
 * cost only daemon threads that end with the JVM.
 *
 * <p>{@link #begin()} and {@link #metrics()} are called on the main thread.
 */
final class EarlyStart {

    /** The metrics {@link #begin()} started to create; taken by {@link #metrics()}. */
    private static final AtomicReference<CompletableFuture<PrometheusMetrics>> METRICS = new AtomicReference<>();

    private EarlyStart() {
    }

    /** Starts loading the library and creating the metrics; called before a {@code server} command line is parsed. */
    static void begin() {
        LlamaRuntime.loadInBackground();
        METRICS.set(CompletableFuture.supplyAsync(ChatMetrics::prometheus,
                task -> Thread.ofPlatform().daemon().name("metrics-create").start(task)));
    }

    /** @return the metrics {@link #begin()} created, else new ones (a failure to create them is thrown here) */
    static PrometheusMetrics metrics() {
        CompletableFuture<PrometheusMetrics> begun = METRICS.getAndSet(null);
        if (begun != null) {
            try {
                return begun.join();
            } catch (CompletionException failed) {
                // created again below, which throws the failure on this thread
            }
        }
        return ChatMetrics.prometheus();
    }
}
