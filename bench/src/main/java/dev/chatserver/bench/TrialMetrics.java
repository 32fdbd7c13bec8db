package dev.chatserver.bench;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measurements of one benchmark trial that JMH's score cannot carry (memory per idle connection, accept rate,
 * thread count, time to first token...), appended as one JSON object per line to the file named by the system
 * property {@value #FILE_PROPERTY}; {@link ReportWriter} joins them with JMH's own results.
 * Owned by the trial's state object; mutated by the JMH thread that runs setup, benchmark and tear-down.
 */
final class TrialMetrics {

    /** System property naming the JSON-lines file; when absent nothing is written (the values are still kept). */
    static final String FILE_PROPERTY = "bench.metrics";

    private final String benchmark;
    private final Map<String, String> params = new LinkedHashMap<>();
    private final Map<String, Double> values = new LinkedHashMap<>();

    /** @param benchmark short name of the benchmark, {@code idle} or {@code throughput} */
    TrialMetrics(String benchmark) {
        this.benchmark = benchmark;
    }

    /** Records a parameter of the trial (mode, idle count, sessions...). */
    TrialMetrics param(String name, Object value) {
        params.put(name, String.valueOf(value));
        return this;
    }

    /** Records (or replaces) a measured value. */
    TrialMetrics value(String name, double value) {
        values.put(name, value);
        return this;
    }

    /** Adds {@code delta} to a value that starts at 0. */
    TrialMetrics add(String name, double delta) {
        values.merge(name, delta, Double::sum);
        return this;
    }

    /** The value recorded under {@code name}, or NaN. */
    double get(String name) {
        return values.getOrDefault(name, Double.NaN);
    }

    /** This trial as one JSON object: {@code {"benchmark":..., "params":{...}, "values":{...}}}. */
    JsonObject toJson() {
        JsonObjectBuilder p = Json.createObjectBuilder();
        params.forEach(p::add);
        JsonObjectBuilder v = Json.createObjectBuilder();
        values.forEach((k, x) -> {
            if (Double.isFinite(x)) v.add(k, x);
        });
        return Json.createObjectBuilder().add("benchmark", benchmark).add("params", p).add("values", v).build();
    }

    /** Appends {@link #toJson()} to the metrics file, if one is configured, and prints it. */
    void publish() {
        String line = toJson().toString();
        System.out.println("[trial metrics] " + line);
        String file = System.getProperty(FILE_PROPERTY);
        if (file == null || file.isBlank()) return;
        try {
            Files.writeString(Path.of(file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append trial metrics to " + file, e);
        }
    }
}
