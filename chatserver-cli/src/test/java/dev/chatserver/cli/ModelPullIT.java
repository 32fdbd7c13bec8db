package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.models.ByteSizes;
import dev.chatserver.models.ModelCatalogue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model pull}, {@code model list} and the first {@code server} start through the packaged jar, against a
 * local stand-in for the hub serving a synthetic GGUF model. Nothing leaves this machine.
 */
class ModelPullIT {

    private static final String MODEL_PATH = "/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/"
            + "qwen2.5-coder-1.5b-instruct-q8_0.gguf";

    private static byte[] model;
    private static String sha256;
    private static HubMirror hub;

    @TempDir
    Path dir;

    @BeforeAll
    static void publishModel(@TempDir Path scratch) throws Exception {
        Path file = scratch.resolve("tiny.gguf");
        SyntheticModel.tiny().write(file);
        model = Files.readAllBytes(file);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        hub = HubMirror.start()
                .publish(MODEL_PATH, model, sha256)
                .publish("/files/tiny.gguf", model, sha256)
                .publish("/files/bad.gguf", model, "0".repeat(64))
                .publish("/files/resumable.gguf", model, sha256)
                .announce("/files/huge.gguf", 1L << 50);
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void pullOfAUrlShowsProgressVerifiesAndSaves() throws Exception {
        Path out = dir.resolve("sub").resolve("tiny.gguf");

        CliRun.Result result = run(dir, null, "model", "pull", hub.url("/files/tiny.gguf").toString(),
                "--out", out.toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).isEmpty();
        assertThat(result.stdoutLines().getFirst())
                .isEqualTo("Pulling " + hub.url("/files/tiny.gguf") + " to " + out);
        assertThat(result.stdoutLines()).anyMatch(line -> line.matches(" {2}100% {2}\\d+(\\.\\d)? kB of .*"));
        assertThat(result.stdoutLines()).contains(
                "SHA-256 verified: " + sha256 + " (as announced by the server)",
                "Serve it with: java -jar " + CliRun.jar() + " server -m " + out);
        assertThat(result.stdout()).doesNotContain("\r");
        assertThat(Files.readAllBytes(out)).isEqualTo(model);
    }

    @Test
    void aWrongChecksumIsOneLineExitCode1AndLeavesNoFile() throws Exception {
        Path out = dir.resolve("models").resolve("model.gguf");

        CliRun.Result result = run(dir, null, "model", "pull", hub.url("/files/tiny.gguf").toString(),
                "--out", out.toString(), "--sha256", "ab".repeat(32));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderrLines()).singleElement().asString()
                .startsWith("error: checksum mismatch")
                .contains("expected SHA-256 " + "ab".repeat(32), "got " + sha256);
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("models").resolve("model.gguf.part")).doesNotExist();
    }

    @Test
    void aWrongAnnouncedChecksumFailsToo() throws Exception {
        CliRun.Result result = run(dir, null, "model", "pull", hub.url("/files/bad.gguf").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderrLines()).singleElement().asString().startsWith("error: checksum mismatch");
        assertThat(dir.resolve("models")).isEmptyDirectory();
    }

    @Test
    void aModelLargerThanTheFreeDiskSpaceIsOneLineExitCode1AndLeavesNoFile() throws Exception {
        Path models = dir.resolve("models");

        CliRun.Result result = run(dir, null, "model", "pull", hub.url("/files/huge.gguf").toString(),
                "--out", models.resolve("huge.gguf").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderrLines()).singleElement().asString()
                .matches("error: not enough disk space in \\Q" + models + "\\E: need 1\\.1 PB, "
                        + "\\d+(\\.\\d)? [kMGT]?B free");
        assertThat(models).isEmptyDirectory();
    }

    @Test
    void aDiskFillingUpMidFileKeepsThePartialFileAndTheNextPullResumesIt() throws Exception {
        assumeTrue(onPath("bash"), "needs bash on the PATH to run the CLI under a file size limit (ulimit -f)");
        String url = hub.url("/files/resumable.gguf").toString();
        Path out = dir.resolve("models").resolve("resumable.gguf");
        Path part = dir.resolve("models").resolve("resumable.gguf.part");
        long limitKib = 256;
        long limit = limitKib * 1024;
        assertThat((long) model.length).as("the limit must fall mid-file").isGreaterThan(2 * limit);

        CliRun.Result full = run(CliRun.commandWithFileSizeLimit(limitKib, "model", "pull", url,
                "--out", out.toString()), dir, null);

        assertThat(full.exitCode()).as(full.stderr()).isEqualTo(1);
        assertThat(full.stderrLines()).containsExactly("error: cannot write " + part + " beyond "
                + ByteSizes.format(limit) + ": the file system or the file size limit (ulimit -f) allows no larger "
                + "file (file too large); raise the limit and run again to resume, or save to another file system");
        assertThat(out).doesNotExist();
        assertThat(part).hasSize(limit);

        CliRun.Result again = run(dir, null, "model", "pull", url, "--out", out.toString());

        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.stdoutLines()).contains("Resuming a partial download at " + ByteSizes.format(limit),
                "SHA-256 verified: " + sha256 + " (as announced by the server)");
        assertThat(hub.requests()).filteredOn(request -> request.path().equals("/cdn/files/resumable.gguf"))
                .extracting(HubMirror.Request::range).containsExactly(null, "bytes=" + limit + "-");
        assertThat(out).hasBinaryContent(model);
        assertThat(part).doesNotExist();
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(folder -> !folder.isEmpty() && Files.isExecutable(Path.of(folder, program)));
    }

    @Test
    void notFoundNamesTheUrl() throws Exception {
        URI missing = hub.url("/files/missing.gguf");

        CliRun.Result result = run(dir, null, "model", "pull", missing.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderrLines()).containsExactly("error: not found (HTTP 404): " + missing);
        assertThat(dir.resolve("models").resolve("missing.gguf")).doesNotExist();
    }

    @Test
    void pullWithoutArgumentsFetchesTheDefaultModelFromTheConfiguredHubIntoModelsModelGguf() throws Exception {
        CliRun.Result result = run(dir, hub.address(), "model", "pull");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdoutLines().getFirst()).startsWith("Pulling " + ModelCatalogue.DEFAULT_NAME + " (")
                .endsWith(" to " + Path.of("models", "model.gguf"));
        assertThat(Files.readAllBytes(dir.resolve("models").resolve("model.gguf"))).isEqualTo(model);

        CliRun.Result again = run(dir, hub.address(), "model", "pull");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.stderrLines()).singleElement().asString().contains("already exists", "--force");

        CliRun.Result list = run(dir, null, "model", "list");
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        assertThat(list.stdoutLines()).anyMatch(line -> line.startsWith(ModelCatalogue.DEFAULT_NAME + " *"))
                .contains(Path.of("models", "model.gguf") + ": present (" + ByteSizes.format(model.length) + ")");
    }

    @Test
    void unknownNamesAndBadChecksumsAreUsageErrors() throws Exception {
        CliRun.Result unknown = run(dir, null, "model", "pull", "no-such-model");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderrLines()).singleElement().asString()
                .contains("unknown model 'no-such-model'", ModelCatalogue.DEFAULT_NAME);

        CliRun.Result badSha = run(dir, null, "model", "pull", hub.url("/files/tiny.gguf").toString(),
                "--sha256", "xyz");
        assertThat(badSha.exitCode()).isEqualTo(2);
        assertThat(badSha.stderrLines()).singleElement().asString().contains("64 hex digits");
    }

    @Test
    void serverWithNoPullAndNoModelExitsWith2AndSaysWhatToDo() throws Exception {
        CliRun.Result result = run(dir, null, "server", "--no-pull", "--port", "0", "--no-web");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString()
                .isEqualTo("error: no model at " + Path.of("models", "model.gguf") + " and --no-pull given: get one "
                        + "with 'java -jar " + CliRun.jar() + " model pull', or name a GGUF file with -m FILE");
        assertThat(dir.resolve("models")).doesNotExist();
    }

    @Test
    void serverOfflineOnFirstStartNamesModelPullAndDashM() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }

        CliRun.Result result = run(dir, URI.create("http://127.0.0.1:" + closedPort), "server", "--port", "0",
                "--no-web");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderrLines()).singleElement().asString()
                .startsWith("error: cannot download the default model: cannot connect to 127.0.0.1:" + closedPort)
                .contains("'java -jar " + CliRun.jar() + " model pull'", "-m FILE");
        assertThat(dir.resolve("models").resolve("model.gguf")).doesNotExist();
    }

    @Test
    void serverOnFirstStartPullsTheDefaultModelAndServesIt() throws Exception {
        ProcessBuilder command = CliRun.command("server", "--port", "0", "--no-web").directory(dir.toFile());
        command.environment().put("HF_ENDPOINT", hub.address().toString());
        Process server = command.start();
        CompletableFuture<String> stderr = CliRun.readAsync(server.getErrorStream());
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertThat(first).as("stderr: %s", stderrIfDone(stderr))
                    .startsWith("No model at " + Path.of("models", "model.gguf")
                            + ": downloading the default model " + ModelCatalogue.DEFAULT_NAME)
                    .contains("about 1.9 GB");
            String line;
            do {
                line = out.readLine();
                assertThat(line).as("stderr: %s", stderrIfDone(stderr)).isNotNull();
            } while (!line.startsWith("The server has been started"));
            assertThat(dir.resolve("models").resolve("model.gguf")).hasBinaryContent(model);
        } finally {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
            server.waitFor(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static String stderrIfDone(CompletableFuture<String> stderr) {
        return stderr.isDone() ? stderr.join() : "(still open)";
    }

    /** Runs the jar in {@code workDir} with {@code HF_ENDPOINT} set to {@code hubAddress} (null: unset). */
    private static CliRun.Result run(Path workDir, URI hubAddress, String... args)
            throws IOException, InterruptedException {
        return run(CliRun.command(args), workDir, hubAddress);
    }

    /** Runs {@code command} in {@code workDir} with {@code HF_ENDPOINT} set to {@code hubAddress} (null: unset). */
    private static CliRun.Result run(ProcessBuilder command, Path workDir, URI hubAddress)
            throws IOException, InterruptedException {
        command.directory(workDir.toFile());
        command.environment().remove("HF_ENDPOINT");
        if (hubAddress != null) command.environment().put("HF_ENDPOINT", hubAddress.toString());
        Process process = command.start();
        process.getOutputStream().close();
        CompletableFuture<String> out = CliRun.readAsync(process.getInputStream());
        CompletableFuture<String> err = CliRun.readAsync(process.getErrorStream());
        if (!process.waitFor(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command.command()));
        }
        return new CliRun.Result(process.exitValue(), out.join(), err.join());
    }
}
