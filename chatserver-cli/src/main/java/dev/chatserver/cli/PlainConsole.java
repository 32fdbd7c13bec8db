package dev.chatserver.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The client's console for scripts: reads lines from stdin (UTF-8) and prints {@code > <answer>} per prompt on
 * stdout, with no prompt before input arrives and no escape codes, so a transcript compares byte for byte.
 * Used by the client's main thread.
 */
final class PlainConsole implements ChatConsole {

    private final BufferedReader in;
    private final PrintStream out;

    private PlainConsole(BufferedReader in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    static PlainConsole open() {
        return new PlainConsole(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                System.out);
    }

    @Override
    public void info(String line) {
        out.println(line);
        out.flush();
    }

    @Override
    public Optional<String> nextPrompt() throws IOException {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) {
                out.print("> ");
                out.flush();
                return Optional.of(line);
            }
        }
        return Optional.empty();
    }

    @Override
    public void answerPiece(String piece) {
        out.print(piece);
        out.flush();
    }

    @Override
    public void answerEnd() {
        out.println();
        out.flush();
    }

    @Override
    public void warn(String line) {
        System.err.println(line);
        System.err.flush();
    }

    @Override
    public Registration onInterrupt(Runnable handler) {
        Runnable restore = OsSignals.handle("INT", handler);
        return restore::run;
    }

    @Override
    public void close() {
        out.flush();
    }
}
