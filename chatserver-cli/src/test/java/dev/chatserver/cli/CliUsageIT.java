package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exit codes and one-line errors of the packaged jar, and that it starts without JVM warnings. */
class CliUsageIT {

    @Test
    void noArgumentsIsAUsageErrorOnOneLine() throws Exception {
        CliRun.Result result = CliRun.run();

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString()
                .startsWith("error: ").contains("subcommand").contains("--help");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void unknownOptionIsAUsageErrorOnOneLine() throws Exception {
        CliRun.Result result = CliRun.run("model", "info", "--no-such-option", "x.gguf");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString().contains("--no-such-option");
    }

    @Test
    void versionPrintsTheVersionWithoutWarnings() throws Exception {
        CliRun.Result result = CliRun.run("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdoutLines().getFirst()).startsWith("chatserver ");
        assertThat(result.stderr()).isEmpty();
    }

    @Test
    void helpListsTheSubcommands() throws Exception {
        CliRun.Result result = CliRun.run("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("server", "client", "model");
        assertThat(result.stderr()).isEmpty();
    }
}
