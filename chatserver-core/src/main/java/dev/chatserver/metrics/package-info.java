/**
 * What the server counts, and its exposition in the Prometheus text format.
 *
 * <p>{@link dev.chatserver.metrics.ChatMetrics} is the narrow interface the engine, the TCP server, the web server
 * and any other transport call: connections opened and closed per {@link dev.chatserver.metrics.Transport},
 * requests refused per {@link dev.chatserver.metrics.Rejection}, replies ended, decode steps timed. Load figures
 * that the engine already publishes (queue length, active replies, KV cells) are not pushed but sampled when
 * metrics are scraped, through {@link dev.chatserver.metrics.EngineLoad}, so they cost the engine thread nothing.
 * {@link dev.chatserver.metrics.ChatMetrics#none()} counts nothing;
 * {@link dev.chatserver.metrics.ChatMetrics#prometheus()} counts with Micrometer into a Prometheus registry that
 * also carries the JVM's and the process's standard meters.
 *
 * <p>The package depends on no other package of the project: reasons and figures arrive as strings and numbers.
 */
package dev.chatserver.metrics;
