package dev.chatserver.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM running {@link IdleClientMain} that holds {@code count} idle connections to the server.
 * Created and closed by the JMH thread of a trial; a virtual thread reads the child's output.
 */
final class IdleClientFleet implements AutoCloseable {

    /** The child exits by itself after this long even if nobody closes it. */
    private static final Duration LIFETIME = Duration.ofMinutes(30);

    private final Process process;
    private final CompletableFuture<Long> connectingAt = new CompletableFuture<>();
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private volatile String failure = "";

    private IdleClientFleet(Process process) {
        this.process = process;
        Thread.ofVirtual().name("idle-fleet-output").start(this::readOutput);
    }

    /** Starts the child process; it begins connecting as soon as its JVM is up. */
    static IdleClientFleet start(InetSocketAddress server, int count) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xss256k", "-XX:+UseSerialGC", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), IdleClientMain.class.getName(),
                server.getHostString(), Integer.toString(server.getPort()), Integer.toString(count),
                Long.toString(LIFETIME.toSeconds()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new IdleClientFleet(process);
    }

    /** {@link System#nanoTime()} at which the child started connecting; waits for it up to {@code timeout}. */
    long awaitConnecting(Duration timeout) throws InterruptedException, TimeoutException {
        return await(connectingAt, timeout, "start connecting");
    }

    /** Number of connections the child holds once it has finished opening them; waits up to {@code timeout}. */
    int awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
        return await(ready, timeout, "open its connections");
    }

    /** Why the child stopped opening connections early, or empty. */
    String failure() {
        return failure;
    }

    private <T> T await(CompletableFuture<T> future, Duration timeout, String what)
            throws InterruptedException, TimeoutException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("idle client process failed to " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("idle client process did not " + what + " within " + timeout);
        }
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals("connecting")) connectingAt.complete(System.nanoTime());
                else if (line.startsWith("ready ")) ready.complete(Integer.parseInt(line.substring(6).trim()));
                else if (line.startsWith("failed ")) failure = line.substring(7);
            }
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
        }
        IllegalStateException gone = new IllegalStateException("idle client process ended, exit code "
                + (process.isAlive() ? "?" : process.exitValue()));
        connectingAt.completeExceptionally(gone);
        ready.completeExceptionally(gone);
    }

    /** Closes the child's standard input (it then closes its sockets and exits); kills it if it lingers. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
