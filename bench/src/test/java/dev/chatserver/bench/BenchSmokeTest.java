package dev.chatserver.bench;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs one tiny configuration of each benchmark inside this JVM (JMH without forks, one measured iteration; the
 * java-llama.cpp side in a fork of its own) on the tiny synthetic model and checks that the numbers are sane.
 * Never the full benchmark.
 */
class BenchSmokeTest {

    @TempDir
    Path dir;

    private Path metricsFile;

    @BeforeEach
    void pointBenchmarksAtTempFiles() {
        metricsFile = dir.resolve("metrics.jsonl");
        System.setProperty(TrialMetrics.FILE_PROPERTY, metricsFile.toString());
        System.setProperty(BenchModels.DIR_PROPERTY, dir.resolve("models").toString());
        // JMH refuses to start while another JMH run holds its machine-wide lock (a benchmark run, another build);
        // these in-process smoke runs measure nothing and may overlap with one
        System.setProperty("jmh.ignoreLock", "true");
    }

    @AfterEach
    void clearProperties() {
        System.clearProperty(TrialMetrics.FILE_PROPERTY);
        System.clearProperty(BenchModels.DIR_PROPERTY);
        System.clearProperty("jmh.ignoreLock");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void idleBenchmarkCompletesTheTenClientExchangeWithAndWithoutIdleConnections() throws Exception {
        Collection<RunResult> results = new Runner(tiny(IdleConnectionBenchmark.class)
                .param("mode", "virtual")
                .param("idle", "0", "40")
                .build()).run();

        assertThat(results).hasSize(2);
        assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
        List<JsonObject> trials = trials("idle");
        assertThat(trials).hasSize(2);
        for (JsonObject trial : trials) {
            JsonObject values = trial.getJsonObject("values");
            assertThat(values.getJsonNumber("clientsCompleted").intValue()).isEqualTo(IdleConnectionBenchmark.ACTIVE_CLIENTS);
            assertThat(values.getJsonNumber("answers").intValue())
                    .isEqualTo(IdleConnectionBenchmark.ACTIVE_CLIENTS * ActiveClients.PROMPTS.size());
            assertThat(values.getJsonNumber("threadsWithIdle").intValue()).isPositive();
        }
        JsonObject withIdle = trials.stream()
                .filter(t -> t.getJsonObject("params").getString("idle").equals("40")).findFirst().orElseThrow()
                .getJsonObject("values");
        assertThat(withIdle.getJsonNumber("idleOpened").intValue()).isEqualTo(40);
        assertThat(withIdle.getJsonNumber("acceptRate").doubleValue()).isPositive();
        assertThat(withIdle.containsKey("rssPerIdleBytes")).isTrue();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void throughputBenchmarkGeneratesTokensOnBothSides() throws Exception {
        // Ours in this JVM; java-llama.cpp carries another llama.cpp build, so it gets a JVM of its own.
        Collection<RunResult> results = new ArrayList<>(new Runner(tiny(ThroughputBenchmark.class)
                .param("impl", ReportWriter.OURS)
                .param("model", BenchModels.TINY)
                .param("sessions", "2")
                .param("tokens", "8")
                .param("threads", "1")
                .build()).run());
        results.addAll(runAnchorInItsOwnJvm("2", "8"));

        assertThat(results).hasSize(2);
        assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
        List<JsonObject> trials = trials("throughput");
        assertThat(trials).extracting(t -> t.getJsonObject("params").getString("impl"))
                .containsExactlyInAnyOrder(ReportWriter.OURS, ReportWriter.ANCHOR);
        for (JsonObject trial : trials) {
            JsonObject values = trial.getJsonObject("values");
            assertThat(values.getJsonNumber("replies").intValue() % 2).as("replies of %s come by round", trial).isZero();
            assertThat(values.getJsonNumber("replies").intValue()).as("replies of %s", trial).isPositive();
            assertThat(values.getJsonNumber("tokens").longValue()).as("tokens of %s", trial).isPositive();
            assertThat(values.getJsonNumber("tokensPerSecond").doubleValue()).isPositive();
            assertThat(values.getJsonNumber("ttftMillis").doubleValue()).isPositive();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void longPromptBenchmarkFitsThePromptToEachTokenizerAndTimesTheFirstText() throws Exception {
        int wanted = 120;
        Collection<RunResult> results = new ArrayList<>(new Runner(longPrompt(ReportWriter.OURS, BenchModels.TINY,
                wanted).build()).run());
        results.addAll(new Runner(inItsOwnJvm(longPrompt(ReportWriter.ANCHOR, BenchModels.TINY, wanted))).run());

        assertThat(results).hasSize(2);
        List<JsonObject> trials = trials("ttft");
        assertThat(trials).extracting(t -> t.getJsonObject("params").getString("impl"))
                .containsExactlyInAnyOrder(ReportWriter.OURS, ReportWriter.ANCHOR);
        for (JsonObject trial : trials) {
            JsonObject values = trial.getJsonObject("values");
            int counted = values.getJsonNumber("countedTokens").intValue();
            // the largest whole-word message at or below the target: a word is one or two tokens here
            assertThat(values.getJsonNumber("targetTokens").intValue()).as("target of %s", trial).isEqualTo(wanted);
            assertThat(counted).as("prompt tokens of %s", trial).isBetween(wanted - 2, wanted);
            // what the replies decoded is what the tokenizer counted (ours: the engine's own figure)
            assertThat(values.getJsonNumber("decodedTokens").doubleValue()).as("decoded by %s", trial)
                    .isEqualTo(counted);
            assertThat(values.getJsonNumber("replies").intValue()).isEqualTo(1);
            assertThat(values.getJsonNumber("ttftMillis").doubleValue()).isPositive()
                    .isLessThanOrEqualTo(values.getJsonNumber("elapsedNanos").doubleValue() / 1e6);
        }
        // the same ChatML text on both sides: the same words
        assertThat(trials).extracting(t -> t.getJsonObject("values").getJsonNumber("words").intValue())
                .allSatisfy(words -> assertThat(words).isBetween(wanted / 4, wanted)).containsOnly(
                        trials.getFirst().getJsonObject("values").getJsonNumber("words").intValue());
    }

    @Test
    void reportRendersTablesAndChartsFromTheMeasurements() throws Exception {
        // the report of a run is built from the same two files a real run leaves behind
        runAnchorInItsOwnJvm("1", "4");
        new Runner(tiny(ThroughputBenchmark.class)
                .param("impl", ReportWriter.OURS)
                .param("model", BenchModels.TINY)
                .param("sessions", "1")
                .param("tokens", "4")
                .param("threads", "1")
                .result(dir.resolve("results.json").toString())
                .resultFormat(ResultFormatType.JSON)
                .build()).run();
        // the long-prompt table covers the 1.5B shapes and model files: the tiny model as a file stands in for them
        String tinyFile = BenchModels.path(BenchModels.TINY, dir.resolve("models")).toString();
        new Runner(longPrompt(ReportWriter.OURS, tinyFile, 60).build()).run();
        BenchPlan plan = new BenchPlan("smoke", List.of("virtual"), List.of(0, 40), "", 0, 1,
                List.of(BenchModels.TINY, tinyFile), List.of(1), 4, 1, 0, 1, 1, new BenchPlan.Ttft(60, 2, 0, 1));

        ReportWriter.write(dir, dir.resolve("results.json"), metricsFile, MachineInfo.current(), plan,
                List.of("a note"), new Bounds(10e9, 50e9));

        String md = Files.readString(dir.resolve("results.md"));
        // ours, java-llama.cpp, node-llama-cpp (not run here: "–"), the memory and compute bounds (the lower marked),
        // ours/java-llama.cpp
        assertThat(md).containsPattern("\\| tiny \\| 1 \\| [0-9.]+ \\| [0-9.]+ \\| – \\| [0-9.]+( \\(bound\\))? "
                        + "\\| [0-9.]+( \\(bound\\))? \\| \\*\\*[0-9.]+\\*\\*")
                .contains("- a note").contains("throughput-tiny.png")
                .contains("idle-exchange.png");
        // the long prompt: decoded tokens of ours (java-llama.cpp and node not run), ours' TTFT, the compute bound
        String tinyLabel = BenchModels.label(tinyFile);
        assertThat(md).contains("## TTFT, 60-token prompt")
                .containsPattern("\\| " + Pattern.quote(tinyLabel)
                        + " \\| (5[89]|60) / – / – \\| [0-9.]+ \\| – \\| – \\| \\*\\*–\\*\\* \\| \\*\\*–\\*\\* \\| [0-9.]+ \\|");
        assertThat(Files.size(dir.resolve("throughput-tiny.png"))).isPositive();
        assertThat(Files.size(dir.resolve("idle-exchange.png"))).isPositive();
        assertThat(Files.size(dir.resolve("idle-memory.png"))).isPositive();
    }

    /** java-llama.cpp's trial, in a forked JVM: it carries another llama.cpp build than this JVM's. */
    private Collection<RunResult> runAnchorInItsOwnJvm(String sessions, String tokens) throws Exception {
        return new Runner(inItsOwnJvm(tiny(ThroughputBenchmark.class)
                .param("impl", ReportWriter.ANCHOR)
                .param("model", BenchModels.TINY)
                .param("sessions", sessions)
                .param("tokens", tokens)
                .param("threads", "1"))).run();
    }

    /** One long-prompt trial: a prompt of about {@code promptTokens} tokens, one reply of two tokens. */
    private static ChainedOptionsBuilder longPrompt(String impl, String model, int promptTokens) {
        return tiny(LongPromptBenchmark.class)
                .param("impl", impl)
                .param("model", model)
                .param("promptTokens", Integer.toString(promptTokens))
                .param("tokens", "2")
                .param("threads", "1");
    }

    /**
     * The options in a forked JVM that writes its metrics where this test reads them. These arguments replace the
     * benchmark's own {@code @Fork(jvmArgsAppend)}, so the short shutdown timeout is repeated: without it JMH waits
     * 30 s for java-llama.cpp's non-daemon worker thread.
     */
    private Options inItsOwnJvm(ChainedOptionsBuilder options) {
        return options.forks(1)
                .jvmArgsAppend("-D" + TrialMetrics.FILE_PROPERTY + "=" + metricsFile,
                        "-D" + BenchModels.DIR_PROPERTY + "=" + dir.resolve("models"), "-Djmh.ignoreLock=true",
                        "-Djmh.shutdownTimeout=2")
                .build();
    }

    private static ChainedOptionsBuilder tiny(Class<?> benchmark) {
        return new OptionsBuilder()
                .include(benchmark.getName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true);
    }

    private List<JsonObject> trials(String benchmark) throws IOException {
        return Files.readAllLines(metricsFile).stream()
                .filter(line -> !line.isBlank())
                .map(line -> {
                    try (JsonReader reader = Json.createReader(new StringReader(line))) {
                        return reader.readObject();
                    }
                })
                .filter(trial -> trial.getString("benchmark").equals(benchmark))
                .toList();
    }
}
