package dev.chatserver.bench;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns JMH's {@code results.json} and the {@link TrialMetrics} lines into {@code results.md} (the idle table, the
 * throughput one with our/their ratios and the machine's bounds, the long-prompt one of {@link TtftReport}) and
 * PNG charts. Runs on the main thread of {@link BenchMain}.
 */
final class ReportWriter {

    /** The implementations of the throughput benchmark, in table order. */
    static final String OURS = "ours";
    static final String ANCHOR = "llamacpp";
    static final String NODE = "node";

    private ReportWriter() {
    }

    /**
     * Writes {@code results.md} and the charts into {@code out}.
     *
     * @param notes  lines for the header, e.g. the machine's load while the benchmarks ran
     * @param bounds the machine's memory bandwidth and arithmetic rate, for the bounds
     */
    static void write(Path out, Path jmhJson, Path metricsLines, MachineInfo machine, BenchPlan plan,
                      List<String> notes, Bounds bounds) throws IOException {
        JsonArray jmh;
        try (JsonReader reader = Json.createReader(Files.newBufferedReader(jmhJson))) {
            jmh = reader.readArray();
        }
        List<JsonObject> metrics = new ArrayList<>();
        if (Files.exists(metricsLines)) {
            for (String line : Files.readAllLines(metricsLines)) {
                if (line.isBlank()) continue;
                try (JsonReader reader = Json.createReader(new StringReader(line))) {
                    metrics.add(reader.readObject());
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results (").append(plan.name()).append(" configuration)\n\n");
        md.append("- Measured ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE))
                .append(" UTC on: ").append(machine.label()).append(", ").append(machine.os())
                .append(", open-file limit (ulimit -n) ").append(machine.openFileLimit()).append(".\n");
        md.append("- Decode threads ").append(plan.threads()).append("; ").append(plan.tokens())
                .append(" tokens per reply in the throughput benchmark; greedy sampling.\n");
        if (!plan.idleCapNote().isEmpty()) md.append("- Note: ").append(plan.idleCapNote()).append(".\n");
        for (String note : notes) md.append("- ").append(note).append('\n');
        md.append("- Raw data: `results.json` (JMH), `trial-metrics.jsonl` (per-trial extra measurements).\n\n");

        if (!plan.modes().isEmpty()) idleSection(out, jmh, metrics, machine, plan, md);
        throughputSection(out, metrics, machine, plan, md, bounds);
        if (!plan.ttftModels().isEmpty()) TtftReport.section(metrics, plan, md, bounds);
        Files.writeString(out.resolve("results.md"), md.toString());
    }

    private static void idleSection(Path out, JsonArray jmh, List<JsonObject> metrics, MachineInfo machine,
                                    BenchPlan plan, StringBuilder md) throws IOException {
        md.append("## Idle connections: 10 active clients, two prompts each\n\n");
        md.append("| mode | idle connections | 10-client exchange (ms) | heap per idle conn (KiB) "
                + "| off-heap RSS per idle conn (KiB) | total per idle conn (KiB) | server threads | accept rate (conn/s) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<LineChart.Series> lines = new ArrayList<>();
        List<LineChart.Series> memory = new ArrayList<>();
        for (String mode : plan.modes()) {
            List<Double> ys = new ArrayList<>();
            List<Double> kib = new ArrayList<>();
            for (int idle : plan.idleCounts()) {
                Map<String, String> params = Map.of("mode", mode, "idle", Integer.toString(idle));
                Optional<JsonObject> run = jmhRun(jmh, IdleConnectionBenchmark.class.getSimpleName(), params);
                Optional<JsonObject> m = trial(metrics, "idle", params);
                double ms = run.map(r -> r.getJsonObject("primaryMetric").getJsonNumber("score").doubleValue())
                        .orElse(Double.NaN);
                double err = run.map(r -> r.getJsonObject("primaryMetric").getJsonNumber("scoreError").doubleValue())
                        .orElse(Double.NaN);
                ys.add(ms);
                kib.add((value(m, "heapPerIdleBytes") + value(m, "rssPerIdleBytes")) / 1024);
                int opened = (int) value(m, "idleOpened");
                md.append("| ").append(mode)
                        .append(" | ").append(opened == idle || Double.isNaN(value(m, "idleOpened"))
                                ? Integer.toString(idle) : opened + " of " + idle)
                        .append(" | ").append(fmt(ms)).append(Double.isFinite(err) ? " ± " + fmt(err) : "")
                        .append(" | ").append(fmt(value(m, "heapPerIdleBytes") / 1024))
                        .append(" | ").append(fmt(value(m, "rssPerIdleBytes") / 1024))
                        .append(" | ").append(fmt((value(m, "heapPerIdleBytes") + value(m, "rssPerIdleBytes")) / 1024))
                        .append(" | ").append(fmt(value(m, "threadsWithIdle")))
                        .append(" | ").append(fmt(value(m, "acceptRate")))
                        .append(" |\n");
            }
            lines.add(new LineChart.Series(mode, ys));
            memory.add(new LineChart.Series(mode, kib));
        }
        new LineChart("10 active clients vs idle connections", "idle connections",
                "time for 10 clients x 2 prompts (ms)",
                plan.idleCounts().stream().map(String::valueOf).toList(), lines,
                machine.label()).writePng(out.resolve("idle-exchange.png"));
        md.append("\nExchange time: JMH mean ± 99.9% confidence half-width over the measured exchanges. Memory: "
                + "server process after a full GC, with the idle connections open minus before, divided by their "
                + "number; the heap is fixed and pre-touched, so RSS growth is memory outside the Java heap "
                + "(thread stacks, socket buffers, native allocations). Threads: kernel threads of the server process "
                + "(virtual threads are not kernel threads). Accept rate: idle connections over the time from the "
                + "first connect until the server reported them all open.\n");
        List<String> withIdle = plan.idleCounts().stream().filter(n -> n > 0).map(String::valueOf).toList();
        new LineChart("Server memory per idle connection", "idle connections",
                "heap + off-heap RSS per connection (KiB)", withIdle,
                memory.stream().map(s -> new LineChart.Series(s.name(),
                        s.ys().subList(s.ys().size() - withIdle.size(), s.ys().size()))).toList(),
                machine.label()).writePng(out.resolve("idle-memory.png"));
        md.append("\n![active-client time vs idle connections](idle-exchange.png)\n");
        md.append("\n![memory per idle connection](idle-memory.png)\n\n");
    }

    private static void throughputSection(Path out, List<JsonObject> metrics, MachineInfo machine, BenchPlan plan,
                                          StringBuilder md, Bounds bounds) throws IOException {
        md.append("## Throughput: our ChatEngine vs java-llama.cpp (b4916 server loop), node-llama-cpp (v0.5.0) "
                + "and the machine's bounds\n\n");
        md.append("| model | sessions | ours tokens/s | java-llama.cpp | node-llama-cpp | memory bound | compute bound "
                + "| ours/java-llama.cpp | ours/node | ours TTFT (ms) | java-llama.cpp TTFT | node TTFT "
                + "| ours tokens/reply | node tokens/reply |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder charts = new StringBuilder();
        for (String model : plan.models()) {
            String label = BenchModels.label(model);
            ModelFacts facts = ModelFacts.of(BenchModels.resolve(model));
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Double> node = new ArrayList<>();
            List<Double> memory = new ArrayList<>();
            List<Double> compute = new ArrayList<>();
            List<Double> bound = new ArrayList<>();
            for (int sessions : plan.sessions()) {
                Optional<JsonObject> o = trial(metrics, "throughput", params(OURS, model, sessions));
                Optional<JsonObject> a = trial(metrics, "throughput", params(ANCHOR, model, sessions));
                Optional<JsonObject> n = trial(metrics, "throughput", params(NODE, model, sessions));
                double ourRate = value(o, "tokensPerSecond");
                double theirRate = value(a, "tokensPerSecond");
                double nodeRate = value(n, "tokensPerSecond");
                double memoryRate = bounds.memoryTokensPerSecond(facts, sessions);
                double computeRate = bounds.computeTokensPerSecond(facts);
                boolean computeBound = bounds.computeBound(facts, sessions);
                ours.add(ourRate);
                theirs.add(theirRate);
                node.add(nodeRate);
                memory.add(memoryRate);
                compute.add(computeRate);
                bound.add(bounds.tokensPerSecond(facts, sessions));
                System.out.printf("%s, %d sessions: ours %.1f, java-llama.cpp %.1f, node-llama-cpp %.1f, "
                        + "memory bound %.1f, compute bound %.1f tokens/s%n", label, sessions, ourRate, theirRate,
                        nodeRate, memoryRate, computeRate);
                md.append("| ").append(label).append(" | ").append(sessions)
                        .append(" | ").append(fmt(ourRate)).append(" | ").append(fmt(theirRate))
                        .append(" | ").append(fmt(nodeRate))
                        .append(" | ").append(fmt(memoryRate)).append(computeBound ? "" : " (bound)")
                        .append(" | ").append(fmt(computeRate)).append(computeBound ? " (bound)" : "")
                        .append(" | **").append(ratio(ourRate, theirRate)).append("**")
                        .append(" | **").append(ratio(ourRate, nodeRate)).append("**")
                        .append(" | ").append(fmt(value(o, "ttftMillis"))).append(" | ").append(fmt(value(a, "ttftMillis")))
                        .append(" | ").append(fmt(value(n, "ttftMillis")))
                        .append(" | ").append(fmt(value(o, "tokensPerReply")))
                        .append(" | ").append(fmt(value(n, "tokensPerReply")))
                        .append(" |\n");
            }
            String file = "throughput-" + label + ".png";
            new LineChart("Generated tokens/s, model " + label, "concurrent sessions", "tokens/s (all sessions)",
                    plan.sessions().stream().map(String::valueOf).toList(),
                    List.of(new LineChart.Series("ours (ChatEngine)", ours),
                            new LineChart.Series("java-llama.cpp (b4916 server loop)", theirs),
                            new LineChart.Series("node-llama-cpp 3.22.1", node),
                            new LineChart.Series("memory bound", memory, LineChart.Style.LIMIT),
                            new LineChart.Series("compute bound", compute, LineChart.Style.LIMIT),
                            new LineChart.Series("bound (the lower)", bound, LineChart.Style.BOUND)),
                    machine.label()).writePng(out.resolve(file));
            charts.append("\n![tokens/s vs sessions, ").append(label).append("](").append(file).append(")\n");
        }
        md.append("\nEach implementation runs in trials of its own (a forked JVM; node-llama-cpp in a Node.js process "
                + "the fork starts), one after the other, so they do not see the same moments of background load. "
                + "Tokens/s: tokens generated by all sessions of the measured rounds over the rounds' summed wall "
                + "time (a round starts every session at once and ends with the last reply). TTFT: mean time from "
                + "the round's start to a reply's first text. java-llama.cpp ignores EOS so every reply has exactly "
                + "the requested length; the tokens/reply columns show ours and node-llama-cpp's. Memory bound: "
                + "sessions × bandwidth / model file size, what steps that only read the weights once could reach. "
                + "Compute bound: the measured FLOP/s / (2 × the parameters multiplied per token), what steps that "
                + "only did the weights' multiply-adds could reach, for any number of sessions. The lower of the two, "
                + "marked (bound), is the bound; neither counts attention over the cache.\n");
        md.append(charts).append('\n');
    }

    static String ratio(double a, double b) {
        double r = a / b;
        return Double.isFinite(r) ? String.format("%.2f", r) : "–";
    }

    static Map<String, String> params(String impl, String model, int sessions) {
        return Map.of("impl", impl, "model", model, "sessions", Integer.toString(sessions));
    }

    /** The JMH run of benchmark class {@code simpleName} whose params include all of {@code params}. */
    private static Optional<JsonObject> jmhRun(JsonArray jmh, String simpleName, Map<String, String> params) {
        for (JsonValue v : jmh) {
            JsonObject run = v.asJsonObject();
            if (!run.getString("benchmark").contains("." + simpleName + ".")) continue;
            JsonObject p = run.getJsonObject("params");
            if (p != null && matches(p, params)) return Optional.of(run);
        }
        return Optional.empty();
    }

    /** The last trial of {@code benchmark} whose params include all of {@code params}. */
    static Optional<JsonObject> trial(List<JsonObject> metrics, String benchmark, Map<String, String> params) {
        JsonObject found = null;
        for (JsonObject m : metrics) {
            if (m.getString("benchmark").equals(benchmark) && matches(m.getJsonObject("params"), params)) found = m;
        }
        return Optional.ofNullable(found);
    }

    private static boolean matches(JsonObject actual, Map<String, String> wanted) {
        for (Map.Entry<String, String> e : new TreeMap<>(wanted).entrySet()) {
            if (!e.getValue().equals(actual.getString(e.getKey(), null))) return false;
        }
        return true;
    }

    static double value(Optional<JsonObject> trial, String name) {
        return trial.map(t -> t.getJsonObject("values"))
                .filter(v -> v.containsKey(name))
                .map(v -> v.getJsonNumber(name).doubleValue())
                .orElse(Double.NaN);
    }

    /** Three significant digits at most, no exponent; "–" for a missing value. */
    static String fmt(double v) {
        if (!Double.isFinite(v)) return "–";
        double a = Math.abs(v);
        if (a >= 100) return String.format("%.0f", v);
        if (a >= 10) return String.format("%.1f", v);
        return String.format("%.2f", v);
    }
}
