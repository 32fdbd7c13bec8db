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
 * Entry point of {@code bench/run.sh}: writes the synthetic models, runs both JMH benchmarks (one forked JVM per
 * parameter combination), merges their JSON into {@code results.json} and renders {@code results.md} and the
 * charts with {@link ReportWriter}. Arguments: {@code [--quick|--full] [--out DIR] [--models DIR] [--note TEXT]}
 * ({@code --note} adds a line to the report's header, e.g. that the machine was shared).
 * Runs on the main thread; the benchmarks themselves run in JMH's forked JVMs.
 */
public final class BenchMain {

    private BenchMain() {
    }

    /** Runs the benchmarks; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException, RunnerException {
        String configuration = "quick";
        Path out = Path.of("bench", "results", LocalDate.now(ZoneOffset.UTC).toString());
        Path models = Path.of("bench", "target", "models");
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> configuration = "quick";
                case "--full" -> configuration = "full";
                case "--out" -> out = Path.of(args[++i]);
                case "--models" -> models = Path.of(args[++i]);
                case "--note" -> notes.add(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: [--quick|--full] [--out DIR] [--models DIR] [--note TEXT]");
                    return;
                }
            }
        }
        MachineInfo machine = MachineInfo.current();
        BenchPlan plan = configuration.equals("full") ? BenchPlan.full(machine.openFileLimit())
                : BenchPlan.quick(machine.openFileLimit());
        Files.createDirectories(out);
        Path metrics = out.resolve("trial-metrics.jsonl");
        Files.deleteIfExists(metrics);

        System.out.println("machine: " + machine.label() + ", open-file limit " + machine.openFileLimit());
        System.out.println("plan: " + plan);
        if (!plan.idleCapNote().isEmpty()) System.out.println("note: " + plan.idleCapNote());
        for (String model : plan.models()) {
            System.out.println("model " + model + ": " + BenchModels.path(model, models));
        }
        BenchModels.path(BenchModels.TINY, models);

        List<String> jvmArgs = List.of("--enable-preview", "--enable-native-access=ALL-UNNAMED",
                // relative: forks start in this working directory, and the paths end up in results.json
                "-D" + TrialMetrics.FILE_PROPERTY + "=" + metrics,
                "-D" + BenchModels.DIR_PROPERTY + "=" + models,
                // the anchor's JNI worker thread is non-daemon and never ends: let JMH end the fork quickly
                "-Djmh.shutdownTimeout=2");

        String loadBefore = loadAverage();
        Path idleJson = out.resolve("idle.jmh.json");
        new Runner(common(jvmArgs, idleJson)
                .include(IdleConnectionBenchmark.class.getName())
                .param("mode", plan.modes().toArray(String[]::new))
                .param("idle", strings(plan.idleCounts()))
                .warmupIterations(plan.idleWarmup())
                .measurementIterations(plan.idleMeasure())
                .build()).run();

        Path throughputJson = out.resolve("throughput.jmh.json");
        new Runner(common(jvmArgs, throughputJson)
                .include(ThroughputBenchmark.class.getName())
                .param("model", plan.models().toArray(String[]::new))
                .param("sessions", strings(plan.sessions()))
                .param("tokens", Integer.toString(plan.tokens()))
                .param("threads", Integer.toString(plan.threads()))
                .warmupIterations(plan.throughputWarmup())
                .warmupTime(TimeValue.seconds(plan.throughputSeconds()))
                .measurementIterations(plan.throughputMeasure())
                .measurementTime(TimeValue.seconds(plan.throughputSeconds()))
                .build()).run();

        Path results = out.resolve("results.json");
        mergeArrays(List.of(idleJson, throughputJson), results);
        Files.delete(idleJson);
        Files.delete(throughputJson);
        notes.add("Load average (1, 5, 15 min) at start: " + loadBefore + "; at end: " + loadAverage()
                + " (on " + machine.cores() + " cores; above the core count the machine was busy with other work).");
        ReportWriter.write(out, results, metrics, machine, plan, notes);
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
