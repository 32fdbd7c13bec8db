import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures how long {@code chatserver server} takes from process start to accepting connections: starts the jar as a
 * process N times (each on two free ports), and for each start takes the time from just before the process is
 * created until a TCP connect to its port succeeds, and until the line "The server has been started, listening on"
 * appears on its stdout; then stops it with SIGTERM and waits for its exit. Prints one row per start, the median,
 * minimum and maximum, and the load average (1 minute) before the first and after the last start.
 *
 * <p>Run by {@code bench/start-time.sh} ({@code java bench/StartTime.java [options] [-- server options]}); no
 * dependencies. Options: {@code --runs N} (10), {@code --jar FILE} ({@code chatserver-cli/target/chatserver-cli.jar}),
 * {@code --model FILE} ({@code ../shared/models/stories260k.gguf}), {@code --java FILE} (this JVM's {@code java}),
 * {@code --jvm-option OPTION} (repeatable; given to {@code java} before {@code -jar}), {@code --phases} (the jar
 * prints when each phase of its start ended, system property {@code chatserver.startTrace}; the marks and their
 * medians are printed too). Single-threaded apart from the readers of the server's stdout and stderr.
 */
public final class StartTime {

    private static final String LISTENING = "The server has been started, listening on";
    /** The system property that makes the jar print its phases ({@code dev.chatserver.cli.StartTrace}). */
    private static final String TRACE_PROPERTY = "chatserver.startTrace";
    private static final String TRACE_PREFIX = "start trace: ";
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(120);

    private StartTime() {
    }

    /**
     * One start: milliseconds to the first successful connect and to the listening line, and the processor time the
     * process and its children had used when the connect succeeded (the work of the start, which a loaded machine
     * stretches less than the wall-clock time).
     */
    record Start(double acceptMillis, double lineMillis, double cpuMillis, Map<String, Double> marks) {
    }

    public static void main(String[] args) throws Exception {
        int runs = 10;
        Path jar = Path.of("chatserver-cli", "target", "chatserver-cli.jar");
        Path model = Path.of("..", "shared", "models", "stories260k.gguf");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> jvmOptions = new ArrayList<>();
        List<String> serverOptions = new ArrayList<>();
        boolean phases = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(value(args, ++i));
                case "--jar" -> jar = Path.of(value(args, ++i));
                case "--model" -> model = Path.of(value(args, ++i));
                case "--java" -> java = Path.of(value(args, ++i));
                case "--jvm-option" -> jvmOptions.add(value(args, ++i));
                case "--phases" -> phases = true;
                case "--" -> {
                    serverOptions.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> fail("unknown argument " + args[i] + "; usage: StartTime [--runs N] [--jar FILE]"
                        + " [--model FILE] [--java FILE] [--jvm-option OPTION]... [--phases] [-- server options]");
            }
        }
        if (!Files.isRegularFile(jar)) fail("no jar at " + jar + " (build it: ./mvnw -B package -DskipTests)");
        if (!Files.isRegularFile(model)) fail("no model at " + model + " (--model FILE)");

        String loadBefore = loadAverage();
        System.out.printf(Locale.ROOT, "%d starts of %s server -m %s %s%n", runs, jar, model,
                String.join(" ", serverOptions));
        System.out.printf(Locale.ROOT, "load average before: %s%n", loadBefore);
        List<Start> starts = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Start start = measure(java, jvmOptions, jar, model, serverOptions, phases);
            starts.add(start);
            System.out.printf(Locale.ROOT, "start %2d: accepts after %7.1f ms, listening line after %7.1f ms,"
                            + " processor time %6.0f ms (load %s)%n", run, start.acceptMillis(), start.lineMillis(),
                    start.cpuMillis(), loadAverage().split(" ")[0]);
            start.marks().entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(mark ->
                    System.out.printf(Locale.ROOT, "          %-24s %7.1f ms%n", mark.getKey(), mark.getValue()));
        }
        String loadAfter = loadAverage();
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAfter);
        System.out.printf(Locale.ROOT, "TCP accepts: median %.2f s (%.2f-%.2f); listening line: median %.2f s;"
                        + " processor time until accepting: median %.2f s; load %s-%s%n",
                median(starts, Start::acceptMillis) / 1000, min(starts, Start::acceptMillis) / 1000,
                max(starts, Start::acceptMillis) / 1000, median(starts, Start::lineMillis) / 1000,
                median(starts, Start::cpuMillis) / 1000, loadBefore.split(" ")[0], loadAfter.split(" ")[0]);
        if (phases) {
            System.out.println("phases, median over the starts (ms from process start):");
            starts.getFirst().marks().entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(mark ->
                    System.out.printf(Locale.ROOT, "  %-24s %7.1f%n", mark.getKey(), median(starts.stream()
                            .filter(start -> start.marks().containsKey(mark.getKey())).toList(),
                            start -> start.marks().get(mark.getKey()))));
        }
    }

    private static Start measure(Path java, List<String> jvmOptions, Path jar, Path model, List<String> serverOptions,
                                 boolean phases) throws IOException, InterruptedException {
        int port = freePort();
        int webPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "server", "-m", model.toString(),
                "--port", String.valueOf(port), "--web-port", String.valueOf(webPort)));
        command.addAll(serverOptions);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (!phases) builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        long started = System.nanoTime();
        if (phases) command.add(1, "-D" + TRACE_PROPERTY + "=" + started);
        Process process = builder.start();
        CompletableFuture<Long> line = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> readLines(process, line));
        Map<String, Double> marks = new LinkedHashMap<>();
        Thread marker = Thread.ofPlatform().daemon().start(() -> readMarks(process, marks, phases));
        try {
            long accepted = awaitAccept(port, started, process);
            double cpu = cpuMillis(process.toHandle());
            long printed = line.get(GIVE_UP_NANOS, TimeUnit.NANOSECONDS);
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            marker.join(5_000);
            synchronized (marks) {
                return new Start((accepted - started) / 1e6, (printed - started) / 1e6, cpu, Map.copyOf(marks));
            }
        } catch (Exception e) {
            throw new IOException("start failed: " + e, e);
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            reader.join(5_000);
            marker.join(5_000);
        }
    }

    /** Tries to connect every 5 ms; returns the {@code nanoTime} of the first connect that succeeded. */
    private static long awaitAccept(int port, long started, Process process) throws IOException, InterruptedException {
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return System.nanoTime();
            } catch (IOException refused) {
                if (!process.isAlive()) throw new IOException("the server exited with " + process.exitValue());
                if (System.nanoTime() - started > GIVE_UP_NANOS) throw refused;
                Thread.sleep(5);
            }
        }
    }

    /** @return the processor time (user and system) of the process and its descendants so far, in milliseconds */
    private static double cpuMillis(ProcessHandle process) {
        return Stream.concat(Stream.of(process), process.descendants())
                .mapToLong(p -> p.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L))
                .sum();
    }

    /** Collects the {@code start trace:} lines of stderr (with {@code --phases}; else stderr is discarded). */
    private static void readMarks(Process process, Map<String, Double> marks, boolean phases) {
        if (!phases) return;
        try (BufferedReader err = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String text = err.readLine(); text != null; text = err.readLine()) {
                if (!text.startsWith(TRACE_PREFIX)) continue;
                String mark = text.substring(TRACE_PREFIX.length());
                int space = mark.lastIndexOf(' ');
                synchronized (marks) {
                    marks.putIfAbsent(mark.substring(0, space), Double.parseDouble(mark.substring(space + 1)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // a start without marks shows none
        }
    }

    private static void readLines(Process process, CompletableFuture<Long> line) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String text = out.readLine(); text != null; text = out.readLine()) {
                if (text.startsWith(LISTENING)) line.complete(System.nanoTime());
            }
        } catch (IOException e) {
            line.completeExceptionally(e);
        }
        line.completeExceptionally(new IOException("no listening line"));
    }

    private static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        if (!Files.isReadable(loadavg)) return "unknown";
        String[] fields = Files.readString(loadavg).trim().split("\\s+");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    private static double median(List<Start> starts, java.util.function.ToDoubleFunction<Start> field) {
        double[] values = starts.stream().mapToDouble(field).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static double min(List<Start> starts, java.util.function.ToDoubleFunction<Start> field) {
        return starts.stream().mapToDouble(field).min().orElse(Double.NaN);
    }

    private static double max(List<Start> starts, java.util.function.ToDoubleFunction<Start> field) {
        return starts.stream().mapToDouble(field).max().orElse(Double.NaN);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) fail(args[i - 1] + " needs a value");
        return args[i];
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
