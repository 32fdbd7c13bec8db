package dev.chatserver.bench;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node-llama-cpp peer of the benchmarks: {@code node bench/node/peer.mjs} (node-llama-cpp 3.22.1 with its
 * prebuilt llama.cpp v0.5.0, the natives we load too) in a process of its own, one context with {@code sessions}
 * sequences and one chat session each (empty history, no system prompt), greedy. It speaks one JSON object a line
 * on its standard input and output (see the script); its standard error goes to ours. Prompt tokens are counted by
 * its chat wrapper and tokenizer; a round reports the tokens each sequence held when its first token came. Runs on
 * the JMH benchmark thread.
 */
final class NodeLlamaGenerator implements Generator {

    /** System property naming the peer script; default {@value #DEFAULT_SCRIPT}, relative to the working folder. */
    static final String SCRIPT_PROPERTY = "bench.nodePeer";
    static final String DEFAULT_SCRIPT = "bench/node/peer.mjs";

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    NodeLlamaGenerator(Path model, int sessions, int tokens, int threads, int contextPerSession) {
        Path script = script();
        try {
            this.process = new ProcessBuilder(List.of("node", script.toString(), model.toString(),
                    Integer.toString(sessions), Integer.toString(tokens), Integer.toString(threads),
                    Integer.toString(contextPerSession)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node (is Node.js installed?)", e);
        }
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        JsonObject ready = read();
        if (!ready.getBoolean("ready", false)) throw new IllegalStateException("node peer did not start: " + ready);
    }

    /** @return the peer script; fails with the way to install it when its modules are missing */
    static Path script() {
        Path script = Path.of(System.getProperty(SCRIPT_PROPERTY, DEFAULT_SCRIPT)).toAbsolutePath();
        if (!Files.isRegularFile(script) || !Files.isDirectory(script.resolveSibling("node_modules"))) {
            throw new IllegalStateException(script + " or its node_modules is missing: run bench/run.sh, or "
                    + "npm ci --omit=optional --ignore-scripts in " + script.getParent());
        }
        return script;
    }

    @Override
    public RoundResult round(int sessions, String userText) {
        JsonObject r = call("round", userText);
        return new RoundResult(r.getInt("replies"), r.getJsonNumber("tokens").longValue(),
                r.getJsonNumber("pieces").longValue(), r.getJsonNumber("ttftNanosSum").longValue(),
                r.getJsonNumber("elapsedNanos").longValue(), r.getJsonNumber("promptTokens").longValue());
    }

    @Override
    public int promptTokens(String userText) {
        return call("count", userText).getInt("promptTokens");
    }

    /** Sends {@code {"<command>": text}} and returns the answer. */
    private JsonObject call(String command, String text) {
        send(Json.createObjectBuilder().add(command, text).build().toString());
        JsonObject r = read();
        if (r.containsKey("error")) throw new IllegalStateException("node peer failed: " + r.getString("error"));
        return r;
    }

    private void send(String line) {
        try {
            in.write(line);
            in.write('\n');
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("node peer is gone", e);
        }
    }

    private JsonObject read() {
        try {
            String line = out.readLine();
            if (line == null) throw new IllegalStateException("node peer ended (exit " + exitCode() + ")");
            try (JsonReader reader = Json.createReader(new StringReader(line))) {
                return reader.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read from the node peer", e);
        }
    }

    private String exitCode() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "none yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public void close() {
        try {
            send("{\"quit\":true}");
            in.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (RuntimeException | IOException e) {
            process.destroyForcibly();
        }
    }
}
