package dev.chatserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * {@link PrometheusMetrics} with Micrometer's Prometheus registry. Micrometer names {@code chatserver.replies} as
 * {@code chatserver_replies_total}, a timer {@code chatserver.decode.step} as the histogram
 * {@code chatserver_decode_step_seconds} (buckets, count, sum, and a {@code _max} gauge).
 *
 * <p>Threads: any (the JVM's meters are bound on a thread of their own). Counters and timers are Micrometer's lock-free adders; gauges are read on the scraping thread
 * from the registered suppliers, which are kept in copy-on-write lists.
 */
final class MicrometerMetrics implements PrometheusMetrics {

    private static final System.Logger LOG = System.getLogger(MicrometerMetrics.class.getName());

    /** Every {@link dev.chatserver.engine.FinishReason}, so that each series exists from the start at 0. */
    private static final List<String> REPLY_REASONS =
            List.of("end", "max_tokens", "cancelled", "context_full", "busy", "error");

    /** Time to first token: from a few milliseconds (a short prompt, idle engine) to a minute (a long queue). */
    private static final Duration[] FIRST_TOKEN_BUCKETS = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            10_000, 30_000, 60_000);
    /** One decode step: a fraction of a millisecond (a tiny model) to seconds (a large prompt chunk on a CPU). */
    private static final Duration[] STEP_BUCKETS = micros(250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000,
            100_000, 250_000, 500_000, 1_000_000, 2_500_000);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /**
     * The JVM's and the process's meters, bound on a thread of their own ({@link #create()}); scrapes and
     * {@link #close()} wait for it. Holds the GC listener to close (null if binding failed).
     */
    private final CompletableFuture<JvmGcMetrics> jvmMeters = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private final Map<Transport, AtomicInteger> counted = new EnumMap<>(Transport.class);
    private final Map<Transport, List<IntSupplier>> tracked = new EnumMap<>(Transport.class);
    private final List<EngineLoad> engines = new CopyOnWriteArrayList<>();
    private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);
    private final Map<String, Counter> replies = new ConcurrentHashMap<>();
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final Timer firstToken;
    private final Timer decodeStep;

    private MicrometerMetrics() {
        for (Transport transport : Transport.values()) {
            AtomicInteger count = new AtomicInteger();
            List<IntSupplier> sources = new CopyOnWriteArrayList<>();
            counted.put(transport, count);
            tracked.put(transport, sources);
            Gauge.builder("chatserver.connections", () -> connections(count, sources))
                    .description("Connections open (HTTP: requests in progress)")
                    .tag("transport", transport.label())
                    .register(registry);
        }
        engineGauge("chatserver.queue.length", "Replies waiting for a slot", EngineLoad::queuedReplies);
        engineGauge("chatserver.active.replies", "Replies holding a slot", EngineLoad::activeReplies);
        engineGauge("chatserver.kv.cells.used", "KV cache cells in use, all slots", EngineLoad::kvCellsInUse);
        engineGauge("chatserver.sessions", "Conversations open", EngineLoad::openSessions);
        for (Rejection rejection : Rejection.values()) {
            rejections.put(rejection, Counter.builder("chatserver.rejected")
                    .description("Requests refused before an answer")
                    .tag("reason", rejection.label())
                    .register(registry));
        }
        REPLY_REASONS.forEach(this::replyCounter);
        promptTokens = Counter.builder("chatserver.prompt.tokens")
                .description("Prompt tokens decoded").register(registry);
        generatedTokens = Counter.builder("chatserver.generated.tokens")
                .description("Tokens generated").register(registry);
        firstToken = Timer.builder("chatserver.time.to.first.token")
                .description("From a message to its answer's first token")
                .serviceLevelObjectives(FIRST_TOKEN_BUCKETS)
                .register(registry);
        decodeStep = Timer.builder("chatserver.decode.step")
                .description("One decode step of the engine: a batch decoded and every slot sampled")
                .serviceLevelObjectives(STEP_BUCKETS)
                .register(registry);
    }

    /**
     * Our meters at once; the JVM's and the process's on a daemon thread ({@code metrics-jvm}), since they read the
     * management beans, whose first use costs a server's start a noticeable time. Every scrape has them all.
     */
    static MicrometerMetrics create() {
        MicrometerMetrics metrics = new MicrometerMetrics();
        Thread.ofPlatform().daemon().name("metrics-jvm").start(metrics::bindJvmMeters);
        return metrics;
    }

    /** The thread {@code metrics-jvm}. */
    private void bindJvmMeters() {
        try {
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new JvmInfoMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
            jvmMeters.complete(gc);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "the JVM's meters are missing from the metrics", e);
            jvmMeters.complete(null);
        }
    }

    private void engineGauge(String name, String description, ToIntFunction<EngineLoad> figure) {
        Gauge.builder(name, () -> {
            int sum = 0;
            for (EngineLoad load : engines) sum += figure.applyAsInt(load);
            return sum;
        }).description(description).register(registry);
    }

    private static int connections(AtomicInteger count, List<IntSupplier> sources) {
        int sum = count.get();
        for (IntSupplier source : sources) sum += source.getAsInt();
        return sum;
    }

    private Counter replyCounter(String reason) {
        return replies.computeIfAbsent(reason, r -> Counter.builder("chatserver.replies")
                .description("Replies ended, by how they ended")
                .tag("reason", r)
                .register(registry));
    }

    @Override
    public void connectionOpened(Transport transport) {
        counted.get(transport).incrementAndGet();
    }

    @Override
    public void connectionClosed(Transport transport) {
        counted.get(transport).decrementAndGet();
    }

    @Override
    public Registration trackConnections(Transport transport, IntSupplier open) {
        List<IntSupplier> sources = tracked.get(transport);
        sources.add(open);
        return () -> sources.remove(open);
    }

    @Override
    public Registration trackEngine(EngineLoad load) {
        engines.add(load);
        return () -> engines.remove(load);
    }

    @Override
    public void rejected(Rejection rejection) {
        rejections.get(rejection).increment();
    }

    @Override
    public void replyEnded(String reason, int prompt, int generated, long firstTokenNanos) {
        Counter counter = replies.get(reason);
        (counter != null ? counter : replyCounter(reason)).increment();
        if (prompt > 0) promptTokens.increment(prompt);
        if (generated > 0) generatedTokens.increment(generated);
        if (firstTokenNanos >= 0) firstToken.record(firstTokenNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void decodeStep(long nanos) {
        decodeStep.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public String scrape() {
        jvmMeters.join();
        return registry.scrape();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        JvmGcMetrics gc = jvmMeters.join();
        if (gc != null) gc.close();
        registry.close();
    }

    private static Duration[] millis(long... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) durations[i] = Duration.ofMillis(values[i]);
        return durations;
    }

    private static Duration[] micros(long... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) durations[i] = Duration.ofNanos(values[i] * 1000);
        return durations;
    }
}
