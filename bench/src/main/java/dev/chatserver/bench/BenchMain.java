package dev.chatserver.bench;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import jakarta.json.stream.JsonGenerator;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code bench/run.sh}: writes the synthetic models, measures the machine's memory bandwidth and
 * arithmetic rate, runs the JMH benchmarks (idle connections, throughput, the long prompt; one forked JVM per
 * parameter combination), merges their JSON into {@code results.json} and renders {@code results.md} and the
 * charts with {@link ReportWriter}. Arguments: see {@link #USAGE} and {@code bench/run.sh} ({@code --note} adds a
 * line to the report's header, e.g. that the machine was shared).
 * Runs on the main thread; the benchmarks themselves run in JMH's forked JVMs.
 */
public final class BenchMain {

    /** The arguments. */
    static final String USAGE = "[--quick|--full] [--out DIR] [--models DIR] [--note TEXT] [--model FILE.gguf]... "
            + "[--only-model NAME]... [--throughput-only] [--ttft-only] [--no-ttft] [--threads N] [--append] "
            + "[--skip-model NAME]... [--report-only]";

    private BenchMain() {
    }

    /** Runs the benchmarks; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException, RunnerException {
        String configuration = "quick";
        Path out = Path.of("bench", "results", LocalDate.now(ZoneOffset.UTC).toString());
        Path models = Path.of("bench", "target", "models");
        List<String> notes = new ArrayList<>();
        List<String> extraModels = new ArrayList<>();
        boolean throughputOnly = false;
        int threads = 0;
        boolean append = false;
        boolean reportOnly = false;
        boolean ttftOnly = false;
        boolean noTtft = false;
        List<String> skipped = new ArrayList<>();
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> configuration = "quick";
                case "--full" -> configuration = "full";
                case "--out" -> out = Path.of(args[++i]);
                case "--models" -> models = Path.of(args[++i]);
                case "--note" -> notes.add(args[++i]);
                case "--model" -> extraModels.add(args[++i]);
                case "--throughput-only" -> throughputOnly = true;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--append" -> append = true;
                case "--report-only" -> {
                    append = true;
                    reportOnly = true;
                }
                case "--skip-model" -> skipped.add(args[++i]);
                case "--only-model" -> only.add(args[++i]);
                case "--ttft-only" -> {
                    ttftOnly = true;
                    throughputOnly = true;
                }
                case "--no-ttft" -> noTtft = true;
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: " + USAGE);
                    return;
                }
            }
        }
        MachineInfo machine = MachineInfo.current();
        BenchPlan plan = configuration.equals("full") ? BenchPlan.full(machine.openFileLimit())
                : BenchPlan.quick(machine.openFileLimit());
        List<String> throughputModels = new ArrayList<>(plan.models());
        if (!only.isEmpty()) throughputModels.retainAll(only); // --model files stay whatever --only-model says
        throughputModels.addAll(extraModels);
        plan = throughputOnly ? plan.throughputOnly(throughputModels) : plan.withModels(throughputModels);
        if (threads > 0) plan = plan.withThreads(threads);
        if (noTtft) plan = plan.withoutTtft();
        Files.createDirectories(out);
        Path metrics = out.resolve("trial-metrics.jsonl");
        Path results = out.resolve("results.json");
        // --append adds to an earlier run's measurements in the same folder (e.g. a model run on its own later)
        Path earlier = out.resolve("results.earlier.json");
        if (append && Files.exists(results)) Files.move(results, earlier);
        if (!append) Files.deleteIfExists(metrics);

        System.out.println("machine: " + machine.label() + ", open-file limit " + machine.openFileLimit());
        System.out.println("plan: " + plan);
        if (!plan.idleCapNote().isEmpty()) System.out.println("note: " + plan.idleCapNote());
        for (String model : plan.models()) {
            System.out.println("model " + model + ": " + BenchModels.path(model, models));
        }
        BenchModels.path(BenchModels.TINY, models);

        List<String> jvmArgs = List.of("--enable-native-access=ALL-UNNAMED",
                // relative: forks start in this working directory, and the paths end up in results.json
                "-D" + TrialMetrics.FILE_PROPERTY + "=" + metrics,
                "-D" + BenchModels.DIR_PROPERTY + "=" + models,
                // the anchor's JNI worker thread is non-daemon and never ends: let JMH end the fork quickly
                "-Djmh.shutdownTimeout=2");

        String loadBefore = loadAverage();
        Bounds bounds = new Bounds(MemoryBandwidth.measure(), ComputeThroughput.measure(plan.threads()));
        System.out.printf("memory bandwidth (256 MiB copy, read + written): %.1f GB/s; arithmetic (float FMA, %d "
                + "threads): %.1f GFLOP/s%n", bounds.bandwidth() / 1e9, plan.threads(), bounds.flops() / 1e9);
        List<String> impls = new ArrayList<>(List.of(ReportWriter.OURS, ReportWriter.ANCHOR));
        try {
            NodeLlamaGenerator.script();
            impls.add(ReportWriter.NODE);
        } catch (IllegalStateException e) {
            notes.add("node-llama-cpp not measured: " + e.getMessage());
        }
        List<Path> jsons = new ArrayList<>();
        if (!plan.modes().isEmpty() && !reportOnly) {
            Path idleJson = out.resolve("idle.jmh.json");
            jsons.add(idleJson);
            new Runner(common(jvmArgs, idleJson)
                    .include(IdleConnectionBenchmark.class.getName())
                    .param("mode", plan.modes().toArray(String[]::new))
                    .param("idle", strings(plan.idleCounts()))
                    .warmupIterations(plan.idleWarmup())
                    .measurementIterations(plan.idleMeasure())
                    .build()).run();
        }
        // One run per model: the tokens per reply (and so a round's length) differ between models.
        for (int m = 0; m < plan.models().size(); m++) {
            String model = plan.models().get(m);
            if (reportOnly || ttftOnly || skipped.contains(model)) continue; // measured earlier (--append)
            Path throughputJson = out.resolve("throughput-" + m + ".jmh.json");
            jsons.add(throughputJson);
            new Runner(common(jvmArgs, throughputJson)
                    .include(ThroughputBenchmark.class.getName())
                    .param("model", model)
                    .param("impl", impls.toArray(String[]::new))
                    .param("sessions", strings(plan.sessions()))
                    .param("tokens", Integer.toString(plan.tokensFor(model)))
                    .param("threads", Integer.toString(plan.threads()))
                    .warmupIterations(plan.warmupFor(model))
                    .warmupTime(TimeValue.seconds(plan.throughputSeconds()))
                    .measurementIterations(plan.measureFor(model))
                    .measurementTime(TimeValue.seconds(plan.throughputSeconds()))
                    .build()).run();
        }
        List<String> ttftModels = plan.ttftModels();
        for (int m = 0; m < ttftModels.size(); m++) {
            String model = ttftModels.get(m);
            if (reportOnly || skipped.contains(model)) continue;
            Path ttftJson = out.resolve("ttft-" + m + ".jmh.json");
            jsons.add(ttftJson);
            new Runner(common(jvmArgs, ttftJson)
                    .include(LongPromptBenchmark.class.getName())
                    .param("model", model)
                    .param("impl", impls.toArray(String[]::new))
                    .param("promptTokens", Integer.toString(plan.ttft().promptTokens()))
                    .param("tokens", Integer.toString(plan.ttft().tokens()))
                    .param("threads", Integer.toString(plan.threads()))
                    .warmupIterations(plan.ttft().warmup())
                    .measurementIterations(plan.ttft().measure())
                    .build()).run();
        }

        mergeArrays(jsons, results);
        for (Path json : jsons) Files.delete(json);
        if (Files.exists(earlier)) {
            mergeArrays(List.of(earlier, results), results);
            Files.delete(earlier);
        }
        notes.add("Load average (1, 5, 15 min) at start: " + loadBefore + "; at end: " + loadAverage()
                + " (on " + machine.cores() + " cores; above the core count the machine was busy with other work).");
        notes.add(String.format("Memory bandwidth: %.1f GB/s (best copy of a 256 MiB block, bytes read + written); "
                + "arithmetic: %.1f GFLOP/s (best round of single-precision FMAs on %d threads, operands in the "
                + "first-level cache). Both measured at the start of this run.",
                bounds.bandwidth() / 1e9, bounds.flops() / 1e9, plan.threads()));
        ReportWriter.write(out, results, metrics, machine, plan, notes, bounds);
        System.out.println("wrote " + results + ", " + out.resolve("results.md") + " and charts");
    }

    /** The first three fields of /proc/loadavg, or "unknown". */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static ChainedOptionsBuilder common(List<String> jvmArgs, Path result) {
        return new OptionsBuilder()
                .forks(1)
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .timeout(TimeValue.minutes(10))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString());
    }

    private static String[] strings(List<Integer> values) {
        return values.stream().map(String::valueOf).toArray(String[]::new);
    }

    /**
     * Concatenates JMH's JSON result arrays into one array file, with the java executable's path reduced to its
     * file name (the results are meant to be shared; the JDK version fields stay).
     */
    private static void mergeArrays(List<Path> inputs, Path output) throws IOException {
        JsonArrayBuilder all = Json.createArrayBuilder();
        List<JsonValue> values = new ArrayList<>();
        for (Path input : inputs) {
            try (JsonReader reader = Json.createReader(Files.newBufferedReader(input))) {
                for (JsonValue run : reader.readArray()) {
                    JsonObject object = run.asJsonObject();
                    String jvm = object.getString("jvm", "java");
                    values.add(Json.createObjectBuilder(object)
                            .add("jvm", Path.of(jvm).getFileName().toString()).build());
                }
            }
        }
        values.forEach(all::add);
        try (JsonWriter writer = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true))
                .createWriter(Files.newBufferedWriter(output))) {
            writer.writeArray(all.build());
        }
    }
}
