package dev.chatserver.metrics;

/**
 * {@link ChatMetrics} that can be scraped in the Prometheus text exposition format (version 0.0.4). Thread-safe.
 */
public interface PrometheusMetrics extends ChatMetrics, AutoCloseable {

    /** The content type of {@link #scrape()}'s text. */
    String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** @return every meter's current value in the Prometheus text format (runs on the calling thread) */
    String scrape();

    /** Stops the JVM meters that hold resources (the GC listener). Closing twice is harmless. */
    @Override
    void close();
}
