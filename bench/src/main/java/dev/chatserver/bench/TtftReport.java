package dev.chatserver.bench;

import jakarta.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.chatserver.bench.ReportWriter.fmt;
import static dev.chatserver.bench.ReportWriter.ratio;
import static dev.chatserver.bench.ReportWriter.trial;
import static dev.chatserver.bench.ReportWriter.value;

/**
 * The long-prompt section of {@code results.md}: time to first text for one session and a prompt of about
 * {@link BenchPlan.Ttft#promptTokens()} tokens ({@link LongPromptBenchmark}), per model and implementation, with the
 * ratio ours/node-llama-cpp and the compute bound of the prompt. Stateless; runs on {@link BenchMain}'s main thread.
 */
final class TtftReport {

    private static final List<String> IMPLS = List.of(ReportWriter.OURS, ReportWriter.ANCHOR, ReportWriter.NODE);

    private TtftReport() {
    }

    /** Appends the section for {@code plan}'s long-prompt models to {@code md}. */
    static void section(List<JsonObject> metrics, BenchPlan plan, StringBuilder md, Bounds bounds) {
        int wanted = plan.ttft().promptTokens();
        md.append("## TTFT, ").append(wanted).append("-token prompt\n\n");
        md.append("| model | prompt tokens (ours / java-llama.cpp / node) | ours TTFT (ms) | java-llama.cpp TTFT (ms) "
                + "| node TTFT (ms) | ours/node | ours/java-llama.cpp | compute bound (ms) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String model : plan.ttftModels()) {
            Map<String, Optional<JsonObject>> trials = new LinkedHashMap<>();
            for (String impl : IMPLS) {
                trials.put(impl, trial(metrics, "ttft", Map.of("impl", impl, "model", model,
                        "promptTokens", Integer.toString(wanted))));
            }
            double ours = value(trials.get(ReportWriter.OURS), "ttftMillis");
            double anchor = value(trials.get(ReportWriter.ANCHOR), "ttftMillis");
            double node = value(trials.get(ReportWriter.NODE), "ttftMillis");
            double oursTokens = promptTokens(trials.get(ReportWriter.OURS));
            ModelFacts facts = ModelFacts.of(BenchModels.resolve(model));
            System.out.printf("%s, long prompt: TTFT ours %.0f, java-llama.cpp %.0f, node-llama-cpp %.0f ms%n",
                    BenchModels.label(model), ours, anchor, node);
            md.append("| ").append(BenchModels.label(model))
                    .append(" | ").append(IMPLS.stream().map(i -> count(promptTokens(trials.get(i))))
                            .reduce((a, b) -> a + " / " + b).orElseThrow())
                    .append(" | ").append(millis(trials.get(ReportWriter.OURS)))
                    .append(" | ").append(millis(trials.get(ReportWriter.ANCHOR)))
                    .append(" | ").append(millis(trials.get(ReportWriter.NODE)))
                    .append(" | **").append(ratio(ours, node)).append("**")
                    .append(" | **").append(ratio(ours, anchor)).append("**")
                    .append(" | ").append(fmt(bounds.promptMillis(facts, oursTokens)))
                    .append(" |\n");
        }
        md.append("\nOne session, one user message cut for each implementation (its own tokenizer and chat "
                + "template) to the largest number of words whose prompt has at most ").append(wanted)
                .append(" tokens, or what the model's training context leaves for the reply and a margin of ")
                .append(LongPromptBenchmark.MARGIN).append(" tokens (stories260k: trained on 512); the prompt "
                + "tokens are those each reply decoded (ours: the engine's count; node-llama-cpp: the tokens its "
                + "sequence held at the first token; java-llama.cpp: its tokenizer's count with the "
                + "beginning-of-sequence token its server adds, as it reports none). TTFT: mean (min–max) over "
                + "the measured replies from sending the message to the reply's first text. ours/node at or below "
                + "1.00 is the engine-speed issue's target. Compute bound: the prompt's multiply-adds at the "
                + "measured FLOP/s (ours' prompt tokens). Under batch invariance our engine decodes at most 62 "
                + "prompt tokens per step (about 17 steps for 1000 tokens, each reading all weights once more, "
                + "where the peers take one or two batches), and it loads Q4_K weights without ggml's repacked "
                + "layout, which makes Q4_K prompt chunks about 1.5 times slower: the `-q4_k` row carries both "
                + "costs, the Q8_0 row the step cap only.\n\n");
    }

    /** The prompt tokens the trial's replies decoded, else the count it was fitted to. */
    private static double promptTokens(Optional<JsonObject> trial) {
        double decoded = value(trial, "decodedTokens");
        return Double.isFinite(decoded) ? decoded : value(trial, "countedTokens");
    }

    private static String count(double tokens) {
        return Double.isFinite(tokens) ? Long.toString(Math.round(tokens)) : "–";
    }

    private static String millis(Optional<JsonObject> trial) {
        double mean = value(trial, "ttftMillis");
        if (!Double.isFinite(mean)) return "–";
        double min = value(trial, "ttftMinMillis");
        double max = value(trial, "ttftMaxMillis");
        return Double.isFinite(min) && Double.isFinite(max) && max > min
                ? fmt(mean) + " (" + fmt(min) + "–" + fmt(max) + ")" : fmt(mean);
    }
}
