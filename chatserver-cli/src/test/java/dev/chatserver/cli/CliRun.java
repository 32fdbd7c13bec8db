package dev.chatserver.cli;

import dev.chatserver.gguf.SyntheticModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged jar as a user would: {@code java -jar chatserver-cli.jar ARGS}, with the test JVM's own
 * {@code java} and no extra JVM flags. Used from the test thread.
 */
final class CliRun {

    /** Generous: the machine may be loaded, and a JVM starts twice per run (launcher, then the real one). */
    static final Duration TIMEOUT = Duration.ofMinutes(2);

    private CliRun() {
    }

    /** What a finished run printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {

        List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        List<String> stderrLines() {
            return stderr.lines().toList();
        }
    }

    /** @return a port that was free a moment ago, on loopback */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * @param dir where to write the tiny synthetic model when the story model is absent
     * @return {@code stories260k.gguf} from the shared models beside the checkout (system property
     *         {@code chatserver.sharedModels}), else the tiny synthetic model, written into {@code dir} (said on stdout)
     */
    static Path storyModelOrTiny(Path dir) throws IOException {
        Path stories = Path.of(System.getProperty("chatserver.sharedModels", "../../shared/models"))
                .resolve("stories260k.gguf");
        if (Files.isRegularFile(stories)) return stories;
        System.out.println("stories260k.gguf not found beside the checkout: using the tiny synthetic model");
        Path tiny = dir.resolve("tiny.gguf");
        SyntheticModel.tiny().write(tiny);
        return tiny;
    }

    /** @return the jar under test; the build passes its path, and a run from the module folder finds it too */
    static Path jar() {
        Path jar = Path.of(System.getProperty("chatserver.cliJar", "target/chatserver-cli.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the CLI jar is not built: " + jar.toAbsolutePath());
        }
        return jar;
    }

    /**
     * @return whether the build's ahead-of-time cache lies beside the jar and is not older than it, so that the
     *         launcher uses it (not after {@code -Daot.skip=true})
     */
    static boolean cacheBeside(Path jar) throws IOException {
        String name = jar.getFileName().toString();
        Path cache = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".aot");
        return Files.isRegularFile(cache)
                && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) >= 0;
    }

    /**
     * @param args the command line after {@code java -jar chatserver-cli.jar}
     * @return a process builder for it
     */
    static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * The jar under {@code bash -c 'ulimit -f KIB'}: a write beyond the file size limit fails with EFBIG ("File too
     * large"), the way a write to a full disk fails with ENOSPC, without needing a small file system to fill. The JVM
     * ignores the SIGXFSZ that comes with it, so the write fails instead of the process being killed.
     *
     * @param limitKib the limit in KiB (bash counts {@code ulimit -f} in 1024-byte blocks outside POSIX mode)
     * @param args     the command line after {@code java -jar chatserver-cli.jar}
     * @return a process builder for it
     */
    static ProcessBuilder commandWithFileSizeLimit(long limitKib, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + limitKib + " && exec \"$@\"",
                "bash"));
        command.addAll(command(args).command());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("POSIXLY_CORRECT"); // would make bash count in 512-byte blocks
        return builder;
    }

    /**
     * Runs to the end with the given stdin.
     *
     * @param stdin what to pipe into the process (closed afterwards)
     * @param args  the command line
     * @return what it printed and its exit code
     */
    static Result runWithInput(String stdin, String... args) throws IOException, InterruptedException {
        Process process = command(args).start();
        CompletableFuture<String> out = readAsync(process.getInputStream());
        CompletableFuture<String> err = readAsync(process.getErrorStream());
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException processClosedItsInput) {
            // the command did not read stdin; what it printed tells the rest
        }
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + process.info().commandLine().orElse("?"));
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    /** Runs with empty stdin. */
    static Result run(String... args) throws IOException, InterruptedException {
        return runWithInput("", args);
    }

    static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }
}
