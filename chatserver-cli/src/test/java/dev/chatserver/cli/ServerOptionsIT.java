package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.SyntheticModel;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code server} checks every option before anything slow happens: one line naming the flag, exit code 2 (1 for a
 * port in use), nothing on stdout and no log line before it. The model given does not exist, so a check that came
 * after looking for the model would fail with another message.
 */
class ServerOptionsIT {

    @TempDir
    static Path dir;
    static Path missing;

    @BeforeAll
    static void paths() {
        missing = dir.resolve("not-there.gguf");
    }

    private static CliRun.Result server(Path model, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("server", "-m", model.toString(), "--no-pull"));
        args.addAll(List.of(options));
        // Free ports unless the test gives its own, so that a server that did start would not clash.
        for (String port : List.of("--port", "--web-port")) {
            if (args.stream().noneMatch(arg -> arg.equals(port) || arg.startsWith(port + "="))) {
                args.addAll(List.of(port, "0"));
            }
        }
        return CliRun.run(args.toArray(String[]::new));
    }

    private static void assertOneLine(CliRun.Result result, int exitCode, String... parts) {
        assertThat(result.exitCode()).as(result.stderr()).isEqualTo(exitCode);
        assertThat(result.stderrLines()).as("one line, nothing logged before it").singleElement().asString()
                .startsWith("error: ").contains(parts);
        assertThat(result.stdout()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--ctx=0                    | --ctx must be positive, was 0",
            "--max-tokens=-1            | --max-tokens must be positive",
            "--parallel=100000          | --parallel must be between 1 and 255",
            "--max-message-bytes=10     | --max-message-bytes must be between 64",
            "--top-p=2                  | --top-p must be in (0, 1]",
            "--mode=bogus               | expected virtual, platform or selector, but was 'bogus'",
            "--allow-origin=ftp://x     | --allow-origin: origin must start with http:// or https://",
            "--host=no-such-host.invalid | --host no-such-host.invalid: unknown host",
            "--port=70000               | --port must be between 0 and 65535",
    })
    void aBadOptionIsOneLineNamingTheFlagBeforeTheModelIsLookedFor(String option, String message) throws Exception {
        assertOneLine(server(missing, option), 2, message);
    }

    @Test
    void equalPortsAreAUsageError() throws Exception {
        CliRun.Result result = server(missing, "--port", "23456", "--web-port", "23456");
        assertOneLine(result, 2, "--web-port must differ from --port (both are 23456)");
    }

    @Test
    void aPortInUseIsReportedBeforeTheModelLoads() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        SyntheticModel.tiny().write(model);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertOneLine(server(model, "--port", String.valueOf(port)), 1,
                    "cannot listen on 127.0.0.1:" + port + ": the port is in use (choose another --port");
            assertOneLine(server(model, "--web-port", String.valueOf(port)), 1,
                    "the port is in use (choose another --web-port");
        }
    }

    @Test
    void aKvCacheLargerThanTheMachinesMemoryIsAUsageErrorBeforeTheModelLoads() throws Exception {
        Path model = dir.resolve("long-context.gguf");
        SyntheticModel.builder().context(1_000_000_000).name("long-context").build().write(model);
        CliRun.Result result = server(model, "--ctx", "1000000000", "--parallel", "2");
        assertOneLine(result, 2, "--ctx 1000000000 with --parallel 2 needs", "of KV cache",
                "lower --ctx or --parallel");
    }

    @Test
    void theHelpGivesTheModesInLowerCase() throws Exception {
        CliRun.Result result = CliRun.run("server", "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("virtual (a virtual thread per").doesNotContain("VIRTUAL");
    }
}
