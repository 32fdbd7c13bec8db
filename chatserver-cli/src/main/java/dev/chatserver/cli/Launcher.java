package dev.chatserver.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Main class of the runnable jar: makes plain {@code java -jar chatserver-cli.jar ...} work although the code needs
 * Java 25 and native access, and starts it from the ahead-of-time cache the build trained.
 *
 * <p>This class (with {@code OsSignals}) is compiled for Java 11, the rest of the jar for Java 25, so that an older
 * {@code java} on the PATH gets a clear answer instead of an {@code UnsupportedClassVersionError}. When this JVM is
 * Java 25+ with native access (which the jar's manifest grants to {@code java -jar}) and there is no usable cache
 * ({@code chatserver-cli.aot} beside the jar, see {@link #aotCacheOptions}), or this JVM runs with AOT or CDS
 * options of the user's own, {@code Main} runs in this JVM. Otherwise a child JVM is started with the cache, native
 * access, a start-friendly JIT setting ({@link #CHILD_FLAGS}), this JVM's own options, the jar on the class path
 * and {@code Main}: a JVM cannot take up a cache once it runs, and the cache saves the server's start more than a
 * second JVM costs (measured in {@code bench/README.md}). Its {@code java} is this JVM's when that is 25+, else the
 * one in {@code JAVA_HOME} when that is 25+, else one of a JDK 25+ installed beside this JVM (a directory next to
 * {@code java.home} whose {@code release} file says so; system property {@value #JDK_DIR_PROPERTY} names another
 * directory to look in). With none of them it prints one line and exits 2.
 *
 * <p>The child inherits stdin, stdout and stderr (so it owns the terminal), and its exit code becomes this
 * process's exit code. SIGTERM (or a SIGINT not coming from the terminal) stops the child gracefully, and this
 * process exits only after the child has. When this process is killed outright (SIGKILL), the child notices within
 * a fraction of a second and stops itself the same way ({@code LauncherWatch}). This class refers to Java 25
 * classes only by name.
 *
 * <p>Runs on the main thread, plus the JVM's shutdown-hook thread.
 */
public final class Launcher {

    /** The Java release the rest of the jar is compiled for. */
    private static final int REQUIRED_JAVA = 25;

    /**
     * The command as the user typed it, for messages and usage lines ({@code java -jar path/chatserver-cli.jar}, as
     * given on the command line); set by a wrapper script to its own name, else by this class.
     */
    static final String COMMAND_PROPERTY = "chatserver.command";

    /** Where JDKs installed beside each other live; defaults to the parent directory of {@code java.home}. */
    static final String JDK_DIR_PROPERTY = "chatserver.jdkDir";

    /**
     * The flags of every child JVM: native access (the manifest grants it only to {@code java -jar}), and JIT
     * thresholds four times the default, so that the compiler threads spend less of the two cores on the start's
     * run-once code while the server gets to listening; hot code still gets compiled, only later (the peak code is
     * the same). The user's own options come after these and win.
     */
    static final List<String> CHILD_FLAGS =
            List.of("--enable-native-access=ALL-UNNAMED", "-XX:CompileThresholdScaling=4");

    /** Names this process's pid to the child; read there by {@code LauncherWatch} (compiled for Java 25). */
    private static final String LAUNCHER_PID_PROPERTY = "chatserver.launcherPid";

    /** The manifest attribute naming the {@code java.vm.version} of the JVM that trained the jar's cache. */
    static final String CACHE_JVM_ATTRIBUTE = "Chatserver-AOT-JVM";

    /** How long a stopped child may take to shut down before it is killed; the server needs at most 5 s. */
    private static final Duration CHILD_STOP_TIMEOUT = Duration.ofSeconds(10);

    private Launcher() {
    }

    /**
     * Runs the command line, in this JVM or in a child one.
     *
     * @param args the command line
     * @throws Exception if the child JVM cannot be started
     */
    public static void main(String[] args) throws Exception {
        trace("launcher");
        Path javaHome = Path.of(System.getProperty("java.home"));
        boolean recentJava = Runtime.version().feature() >= REQUIRED_JAVA;
        if (System.getProperty(COMMAND_PROPERTY) == null) {
            System.setProperty(COMMAND_PROPERTY, typedCommand());
        }
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cache = !recentJava || cacheBuiltByThisJvm() ? aotCacheOptions(jar, jvmOptions) : List.of();
        if (recentJava && cache.isEmpty() && nativeAccessEnabled()) {
            Class.forName("dev.chatserver.cli.Main").getMethod("main", String[].class).invoke(null, (Object) args);
            return;
        }
        Optional<Path> jdk = recentJava ? Optional.of(javaHome) : findRecentJdk(javaHome);
        if (jdk.isEmpty()) {
            System.err.println("chatserver needs Java " + REQUIRED_JAVA + " or newer; this is Java "
                    + Runtime.version().feature() + " (" + javaHome + "). Install a JDK " + REQUIRED_JAVA
                    + " and put it on the PATH or set JAVA_HOME.");
            System.exit(2);
        }
        System.exit(runChild(jdk.get().resolve("bin").resolve("java"), jar, cache, jvmOptions, args));
    }

    /**
     * @return {@code java -jar <the jar as given on the command line>}, or {@code chatserver} when this JVM was not
     *         started with {@code -jar}
     */
    private static String typedCommand() {
        String command = System.getProperty("sun.java.command", "");
        Matcher jar = Pattern.compile("^(.*?\\.jar)(?:\\s|$)").matcher(command);
        return jar.find() ? "java -jar " + jar.group(1) : "chatserver";
    }

    /** @return {@code JAVA_HOME} if it is a JDK 25+, else a JDK 25+ beside this JVM's home */
    private static Optional<Path> findRecentJdk(Path javaHome) throws IOException {
        String javaHomeVariable = System.getenv("JAVA_HOME");
        if (javaHomeVariable != null && !javaHomeVariable.isBlank() && isRecentJdk(Path.of(javaHomeVariable))) {
            return Optional.of(Path.of(javaHomeVariable));
        }
        Path jdkDir = Path.of(System.getProperty(JDK_DIR_PROPERTY, String.valueOf(javaHome.getParent())));
        if (!Files.isDirectory(jdkDir)) {
            return Optional.empty();
        }
        try (Stream<Path> siblings = Files.list(jdkDir)) {
            return siblings.sorted().filter(Launcher::isRecentJdk).findFirst();
        }
    }

    /** @return whether the directory holds a JDK whose {@code release} file says {@code JAVA_VERSION="25..."} or later */
    private static boolean isRecentJdk(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return false;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException unreadable) {
            return false;
        }
        // JAVA_VERSION="25.0.1", "17", or "1.8.0_292" (feature 8).
        String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "").trim();
        String feature = version.startsWith("1.") ? version.substring(2) : version;
        String digits = feature.split("[^0-9]", 2)[0];
        return !digits.isEmpty() && digits.length() < 4 && Integer.parseInt(digits) >= REQUIRED_JAVA;
    }

    private static int runChild(Path java, Path jar, List<String> cache, List<String> jvmOptions, String[] args)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(CHILD_FLAGS);
        // The child stops itself when this process is killed without passing the signal on (LauncherWatch).
        command.add("-D" + LAUNCHER_PID_PROPERTY + "=" + ProcessHandle.current().pid());
        command.addAll(cache);
        command.addAll(jvmOptions);
        if (jvmOptions.stream().noneMatch(option -> option.startsWith("-D" + COMMAND_PROPERTY + "="))) {
            command.add("-D" + COMMAND_PROPERTY + "=" + System.getProperty(COMMAND_PROPERTY));
        }
        command.addAll(List.of("-cp", jar.toString(), "dev.chatserver.cli.Main"));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        // Their options are already among this JVM's options; the child would otherwise get them twice.
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        trace("starting the child JVM");
        Process child = builder.start();

        if (onTerminal()) {
            // Ctrl-C on a terminal reaches the whole foreground process group, so the child gets it too and decides
            // itself (the client cancels an answer on the first one); the launcher only waits for it.
            OsSignals.handle("INT", () -> { });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopChild(child), "launcher-stop-child"));
        return child.waitFor();
    }

    /**
     * The ahead-of-time cache the build trained for this jar ({@code chatserver-cli.aot} beside
     * {@code chatserver-cli.jar}, see {@code AotTraining}): classes already loaded and linked, so the child starts
     * listening sooner. A cache that does not fit (another JVM build, a rebuilt jar) is ignored by the JVM; its
     * complaint, which the JVM would print on stdout, is switched off.
     *
     * @return the options that use the cache; none when it is missing, older than the jar, or the user chose
     *         their own class data sharing options
     */
    static List<String> aotCacheOptions(Path jar, List<String> jvmOptions) {
        String name = jar.getFileName().toString();
        if (!name.endsWith(".jar")) {
            return List.of();
        }
        Path cache = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".aot");
        for (String option : jvmOptions) {
            if (option.startsWith("-XX:AOT") || option.startsWith("-XX:SharedArchiveFile") || option.startsWith("-Xshare")) {
                return List.of();
            }
        }
        try {
            if (!Files.isRegularFile(cache)
                    || Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                return List.of();
            }
        } catch (IOException e) {
            return List.of();
        }
        return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off");
    }

    /**
     * A cache fits only the JVM build that wrote it (another one ignores it), so when this JVM is another build a
     * child would start without it, for nothing.
     *
     * @return whether the jar's manifest names this JVM's version as the one that trained the cache
     *         ({@value #CACHE_JVM_ATTRIBUTE}, written by the build)
     */
    private static boolean cacheBuiltByThisJvm() {
        try (InputStream in = Launcher.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) return false;
            String trainedOn = new Manifest(in).getMainAttributes().getValue(CACHE_JVM_ATTRIBUTE);
            return trainedOn != null && trainedOn.equals(System.getProperty("java.vm.version"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Java 22 API, called by reflection because this class is compiled for Java 11.
     *
     * @return whether this class's module may make restricted (native) calls
     */
    private static boolean nativeAccessEnabled() throws ReflectiveOperationException {
        Module module = Launcher.class.getModule();
        return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module);
    }

    /** @return whether stdin and stdout are a terminal ({@code Console.isTerminal}, Java 22, when there is one) */
    private static boolean onTerminal() throws ReflectiveOperationException {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException beforeJava22) {
            return true; // before Java 22 there is a console only on a terminal
        }
    }

    /** A mark of {@code bench/start-time.sh --phases}, printed as {@code StartTrace} does (compiled for Java 25). */
    private static void trace(String phase) {
        String origin = System.getProperty("chatserver.startTrace");
        if (origin == null) return;
        try {
            System.err.printf("start trace: %s %.1f%n", phase, (System.nanoTime() - Long.parseLong(origin.strip())) / 1e6);
        } catch (NumberFormatException notAMark) {
            // not a nanoTime value: no marks
        }
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
