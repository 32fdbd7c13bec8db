package dev.chatserver.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A CLI process that keeps running while the test talks to it: its stdout lines arrive in a queue (read by a
 * virtual thread), its stderr is collected as it arrives. Closing it kills the process if it still runs.
 */
final class RunningCli implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> stdoutLines = new LinkedBlockingQueue<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    /** Stderr so far; guarded by itself, which is notified on each arrival. */
    private final StringBuilder stderrSoFar = new StringBuilder();
    private final CompletableFuture<String> stderr = new CompletableFuture<>();

    private RunningCli(Process process) {
        this.process = process;
        Thread.startVirtualThread(this::readStdout);
        Thread.startVirtualThread(this::readStderr);
    }

    /** Starts {@code java -jar chatserver-cli.jar ARGS}. */
    static RunningCli start(String... args) throws IOException {
        return new RunningCli(CliRun.command(args).start());
    }

    /** Starts {@code java -jar chatserver-cli.jar ARGS} with more environment variables. */
    static RunningCli start(java.util.Map<String, String> environment, String... args) throws IOException {
        ProcessBuilder builder = CliRun.command(args);
        builder.environment().putAll(environment);
        return new RunningCli(builder.start());
    }

    private void readStdout() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                stdoutLines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readStderr() {
        try (Reader reader = new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)) {
            char[] buffer = new char[4096];
            for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                synchronized (stderrSoFar) {
                    stderrSoFar.append(buffer, 0, n);
                    stderrSoFar.notifyAll();
                }
            }
            synchronized (stderrSoFar) {
                stderr.complete(stderrSoFar.toString());
                stderrSoFar.notifyAll();
            }
        } catch (IOException e) {
            stderr.completeExceptionally(e);
        }
    }

    /**
     * Waits until stderr shows a text.
     *
     * @throws AssertionError if it does not within {@link CliRun#TIMEOUT} (with what was printed so far)
     */
    void awaitStderr(String text) throws InterruptedException {
        long deadline = System.nanoTime() + CliRun.TIMEOUT.toNanos();
        synchronized (stderrSoFar) {
            while (stderrSoFar.indexOf(text) < 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || stderr.isDone()) {
                    throw new AssertionError("'" + text + "' not on stderr within " + CliRun.TIMEOUT + ":\n"
                            + stderrSoFar);
                }
                stderrSoFar.wait(left);
            }
        }
    }

    /**
     * Waits for the next stdout line.
     *
     * @return the line
     * @throws AssertionError if none arrives within {@link CliRun#TIMEOUT} (with what was printed so far)
     */
    String nextLine() throws InterruptedException {
        String line = stdoutLines.poll(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no output line within " + CliRun.TIMEOUT + "; stdout so far " + seen
                    + ", alive " + process.isAlive() + ", stderr:\n" + stderrNow());
        }
        seen.add(line);
        return line;
    }

    /** Writes to the process's stdin. */
    void type(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Sends SIGTERM (to the launcher, which passes it on); unlike Process.destroy() it leaves the pipes open. */
    void terminate() {
        process.toHandle().destroy();
    }

    /**
     * Waits for the exit.
     *
     * @return the exit code
     * @throws AssertionError if the process still runs after the timeout
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout);
        }
        return process.exitValue();
    }

    /** @return everything on stderr (waits for the process to end) */
    String stderr() {
        return stderr.join();
    }

    private String stderrNow() {
        synchronized (stderrSoFar) {
            return stderrSoFar.toString();
        }
    }

    /** @return the process (the launcher, when the jar re-executes itself) */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Kills the process (and the launcher's child JVM) if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.onExit().join();
        }
    }
}
