package dev.chatserver.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A scrape of {@code /metrics}, parsed by a real Prometheus text format parser: the npm package
 * {@code parse-prometheus-text-format} (a port of the official Python client's parser), run with Node.js. The
 * package is installed once into {@code target/prometheus-parser} from the test resources' {@code package.json};
 * where Node.js or npm is missing or the install fails, the calling test is skipped with the reason.
 *
 * @param families metric families by name, as the parser gives them
 */
public record PrometheusText(Map<String, JsonObject> families) {

    private static final Path PARSER_DIR = Path.of(System.getProperty("basedir", "."), "target", "prometheus-parser")
            .toAbsolutePath().normalize();

    /**
     * Parses a scrape.
     *
     * @param text the Prometheus text format
     * @return the parsed families
     */
    public static synchronized PrometheusText parse(String text) {
        Path script = installParser();
        String json = run(new ProcessBuilder("node", script.toString()), text, false);
        Map<String, JsonObject> families = new LinkedHashMap<>();
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            for (JsonValue family : reader.readArray()) {
                JsonObject object = family.asJsonObject();
                families.put(object.getString("name"), object);
            }
        }
        return new PrometheusText(families);
    }

    /**
     * @param name   a counter's or gauge's name, e.g. {@code chatserver_replies_total}
     * @param labels label names and values, alternating, that the sample must carry
     * @return the value of the first sample with those labels
     * @throws AssertionError when there is no such sample
     */
    public double value(String name, String... labels) {
        for (JsonValue sample : samples(name)) {
            JsonObject object = sample.asJsonObject();
            if (hasLabels(object, labels)) return Double.parseDouble(object.getString("value"));
        }
        throw new AssertionError("no sample of " + name + " with labels " + String.join(",", labels));
    }

    /** @return the family's type as the parser read it from {@code # TYPE}, e.g. {@code COUNTER} */
    public String type(String name) {
        return family(name).getString("type");
    }

    /** @return the number of observations of a histogram */
    public double histogramCount(String name) {
        return Double.parseDouble(samples(name).getJsonObject(0).getString("count"));
    }

    /** @return the sum of the observations of a histogram */
    public double histogramSum(String name) {
        return Double.parseDouble(samples(name).getJsonObject(0).getString("sum"));
    }

    /** @return a histogram's cumulative bucket counts, by upper bound as written ({@code 0.005}, {@code +Inf}) */
    public Map<String, Double> buckets(String name) {
        Map<String, Double> buckets = new LinkedHashMap<>();
        JsonObject object = samples(name).getJsonObject(0).getJsonObject("buckets");
        object.forEach((bound, count) -> buckets.put(bound, Double.parseDouble(((jakarta.json.JsonString) count)
                .getString())));
        return buckets;
    }

    /** @return whether a family of that name was scraped */
    public boolean has(String name) {
        return families.containsKey(name);
    }

    private JsonObject family(String name) {
        JsonObject family = families.get(name);
        if (family == null) throw new AssertionError("no metric family " + name + " in " + families.keySet());
        return family;
    }

    private JsonArray samples(String name) {
        return family(name).getJsonArray("metrics");
    }

    private static boolean hasLabels(JsonObject sample, String... labels) {
        JsonObject present = sample.containsKey("labels") ? sample.getJsonObject("labels")
                : JsonValue.EMPTY_JSON_OBJECT;
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!present.containsKey(labels[i]) || !Objects.equals(present.getString(labels[i]), labels[i + 1])) {
                return false;
            }
        }
        return true;
    }

    /** @return the parse script, with the parser installed beside it */
    private static Path installParser() {
        Path script = PARSER_DIR.resolve("parse.js");
        if (Files.isDirectory(PARSER_DIR.resolve("node_modules").resolve("parse-prometheus-text-format"))
                && Files.exists(script)) {
            return script;
        }
        try {
            Files.createDirectories(PARSER_DIR);
            copy("package.json");
            copy("parse.js");
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare " + PARSER_DIR, e);
        }
        // No lock file: the version is pinned in package.json, and the project records no registry addresses.
        run(new ProcessBuilder("npm", "install", "--no-package-lock", "--no-audit", "--no-fund", "--silent")
                .directory(PARSER_DIR.toFile()), "", true);
        return script;
    }

    private static void copy(String resource) throws IOException {
        try (InputStream in = PrometheusText.class.getResourceAsStream("/prometheus/" + resource)) {
            Files.copy(Objects.requireNonNull(in, resource), PARSER_DIR.resolve(resource),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Runs a command with the input on stdin. Skips the test when the command cannot start (no Node.js) or when
     * installing fails (no registry); a parse that fails fails the test: the scrape is not valid text format.
     */
    private static String run(ProcessBuilder command, String input, boolean installing) {
        String what = String.join(" ", command.command());
        Process process;
        try {
            process = command.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            abort("the Prometheus text parser needs Node.js and npm: cannot run '" + what + "': " + e.getMessage());
            throw new AssertionError("unreachable");
        }
        try {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                abort("'" + what + "' did not finish within 120 s");
            }
            if (process.exitValue() != 0 && !installing) {
                throw new AssertionError("the Prometheus text parser rejected the scrape: '" + what + "' exited with "
                        + process.exitValue());
            }
            if (process.exitValue() != 0) {
                abort("the Prometheus text parser is not available: '" + what + "' exited with "
                        + process.exitValue());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            abort("'" + what + "' failed: " + e.getMessage());
            throw new AssertionError("unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
