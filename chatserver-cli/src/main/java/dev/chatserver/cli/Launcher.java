package dev.chatserver.cli;

import java.io.Console;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Main class of the runnable jar: makes plain {@code java -jar chatserver-cli.jar ...} work although the code needs
 * preview features and native access.
 *
 * <p>When this JVM already runs with {@code --enable-preview} and native access, {@link Main} runs in it directly.
 * Otherwise the same {@code java} executable is started again with the flags, this JVM's own options, the jar on the
 * class path and {@link Main}; the child inherits stdin, stdout and stderr (so it owns the terminal), and its exit
 * code becomes this process's exit code. SIGTERM (or a SIGINT not coming from the terminal) stops the child
 * gracefully. This class uses no preview API, so it loads on a JVM started without {@code --enable-preview}.
 *
 * <p>Runs on the main thread, plus the JVM's shutdown-hook thread.
 */
public final class Launcher {

    /** The flags every JVM that runs {@link Main} needs. */
    private static final List<String> REQUIRED_FLAGS =
            List.of("--enable-preview", "--enable-native-access=ALL-UNNAMED");

    /** How long a stopped child may take to shut down before it is killed; the server needs at most 5 s. */
    private static final Duration CHILD_STOP_TIMEOUT = Duration.ofSeconds(10);

    private Launcher() {
    }

    /**
     * Runs the command line, in this JVM or in a re-executed one.
     *
     * @param args the command line
     * @throws Exception if the child JVM cannot be started
     */
    public static void main(String[] args) throws Exception {
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (jvmOptions.contains("--enable-preview") && Launcher.class.getModule().isNativeAccessEnabled()) {
            System.exit(Main.run(args));
        }
        System.exit(runChild(jvmOptions, args));
    }

    private static int runChild(List<String> jvmOptions, String[] args) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(REQUIRED_FLAGS);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", jar, Main.class.getName()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        // Their options are already among this JVM's options; the child would otherwise get them twice.
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process child = builder.start();

        Console console = System.console();
        if (console != null && console.isTerminal()) {
            // Ctrl-C on a terminal reaches the whole foreground process group, so the child gets it too and decides
            // itself (the client cancels an answer on the first one); the launcher only waits for it.
            OsSignals.handle("INT", () -> { });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopChild(child), "launcher-stop-child"));
        return child.waitFor();
    }

    /** Shutdown hook: asks the child to stop (SIGTERM), waits, and exits with its exit code. */
    private static void stopChild(Process child) {
        try {
            child.destroy();
            if (!child.waitFor(CHILD_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
                child.waitFor();
            }
            // halt, not exit: exit from a shutdown hook would block, and the child's code must win over 143/130.
            Runtime.getRuntime().halt(child.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
