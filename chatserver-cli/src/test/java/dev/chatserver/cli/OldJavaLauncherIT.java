package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar} with a {@code java} older than 25, as on a machine whose default JDK is 17: the launcher finds a
 * JDK 25 (in {@code JAVA_HOME} or beside the old one) and runs the command with it, or says in one line what is
 * needed. The old JDK is looked for beside the test's JDK 25 (the way such machines install them); the tests are
 * skipped, with a message, on a machine without one.
 */
class OldJavaLauncherIT {

    private static final Path TEST_JDK = Path.of(System.getProperty("java.home"));

    private static Path oldJdk;

    @TempDir
    Path dir;

    @BeforeAll
    static void findOldJdk() throws IOException {
        try (Stream<Path> siblings = Files.list(TEST_JDK.getParent())) {
            oldJdk = siblings.sorted().filter(home -> featureVersion(home).filter(v -> v >= 11 && v < 25).isPresent())
                    .findFirst().orElse(null);
        }
    }

    @Test
    void runsWithTheJdkInJavaHome() throws Exception {
        CliRun.Result result = runWithOldJava(TEST_JDK.toString(), List.of(), "--version");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).startsWith("chatserver ").contains("Java " + Runtime.version().feature());
        assertThat(result.stderr()).isEmpty();
    }

    @Test
    void withoutJavaHomeFindsAJdkBesideTheOldOne() throws Exception {
        CliRun.Result result = runWithOldJava(null, List.of(), "--version");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).startsWith("chatserver ").containsPattern("Java (2[5-9]|[3-9][0-9])");
        assertThat(result.stderr()).isEmpty();
    }

    @Test
    void withNoJdk25AnywhereSaysWhatIsNeededInOneLine() throws Exception {
        // This machine has a JDK 25 beside the old one (the test runs on it), so the search is pointed at an empty
        // directory; JAVA_HOME names a directory that is no JDK.
        Path emptyJdkDir = Files.createDirectory(dir.resolve("jvm"));
        String bogusJavaHome = dir.resolve("no-jdk-here").toString();

        CliRun.Result result = runWithOldJava(bogusJavaHome,
                List.of("-D" + Launcher.JDK_DIR_PROPERTY + "=" + emptyJdkDir), "--version");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderrLines()).containsExactly("chatserver needs Java 25 or newer; this is Java "
                + featureVersion(oldJdk).orElseThrow() + " (" + oldJdk.toRealPath() + "). Install a JDK 25 and put"
                + " it on the PATH or set JAVA_HOME.");
    }

    @Test
    void theBuildWithAnOldJdkSaysInOneLineThatItNeedsJdk25AndJavaHome() throws Exception {
        assumeTrue(oldJdk != null, "no JDK older than 25 installed beside " + TEST_JDK + " to build with");
        CliRun.Result result = runWithOldJavaFirst(oldJdk.toString(), REPOSITORY.resolve("mvnw").toString(),
                "-B", "-q", "-N", "validate");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stdout().lines().filter(line -> line.contains("needs a JDK 25"))).singleElement()
                .asString().startsWith("[ERROR] chatserver needs a JDK 25 to build (this is Java "
                        + featureVersion(oldJdk).orElseThrow())
                .endsWith("): set JAVA_HOME to a JDK 25 and run ./mvnw again.");
        assertThat(result.stdout()).doesNotContain("release version");
    }

    @Test
    void downloadShFindsTheJdk25BesideAnOldJava() throws Exception {
        assumeTrue(oldJdk != null, "no JDK older than 25 installed beside " + TEST_JDK);
        CliRun.Result result = runWithOldJavaFirst(null, "sh", REPOSITORY.resolve("models/download.sh").toString(),
                "--help");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().replaceAll("\\s+", " ")).contains("model pull").contains("--sha256");
    }

    /** The checkout's root: the parent of this module. */
    private static final Path REPOSITORY = Path.of(System.getProperty("basedir", "."), "..").normalize();

    /** Runs a command with the old JDK's {@code bin} first on the PATH and JAVA_HOME as given (null: unset). */
    private static CliRun.Result runWithOldJavaFirst(String javaHome, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPOSITORY.toFile());
        builder.environment().put("PATH", oldJdk.resolve("bin") + File.pathSeparator + System.getenv("PATH"));
        return run(builder, javaHome);
    }

    /** Runs {@code <old java> OPTIONS -jar chatserver-cli.jar ARGS} with JAVA_HOME set as given (null: unset). */
    private static CliRun.Result runWithOldJava(String javaHome, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        assumeTrue(oldJdk != null, "no JDK older than 25 installed beside " + TEST_JDK + " to run the jar with");
        List<String> command = new ArrayList<>();
        command.add(oldJdk.resolve("bin").resolve("java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", CliRun.jar().toString()));
        command.addAll(List.of(args));
        return run(new ProcessBuilder(command), javaHome);
    }

    private static CliRun.Result run(ProcessBuilder builder, String javaHome)
            throws IOException, InterruptedException {
        List<String> command = builder.command();
        builder.environment().remove("JAVA_HOME");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        if (javaHome != null) {
            builder.environment().put("JAVA_HOME", javaHome);
        }
        Process process = builder.start();
        process.getOutputStream().close(); // empty stdin
        CompletableFuture<String> out = CliRun.readAsync(process.getInputStream());
        CompletableFuture<String> err = CliRun.readAsync(process.getErrorStream());
        if (!process.waitFor(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new CliRun.Result(process.exitValue(), out.join(), err.join());
    }

    /** @return the feature version in a JDK's {@code release} file ({@code JAVA_VERSION="17.0.9"} gives 17) */
    private static Optional<Integer> featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            properties.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
        String digits = version.split("[^0-9]", 2)[0];
        return digits.isEmpty() ? Optional.empty() : Optional.of(Integer.parseInt(digits));
    }
}
