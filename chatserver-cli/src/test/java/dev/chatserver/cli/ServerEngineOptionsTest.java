package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.EngineConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The server command's engine options reach the {@code EngineConfig}. JUnit thread only. */
class ServerEngineOptionsTest {

    private static final Path MODEL = Path.of("model.gguf");

    private static ServerCommand command(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command;
    }

    private static EngineConfig parse(String... args) {
        return command(args).engineConfig(MODEL);
    }

    @Test
    void batchInvarianceIsOnUnlessTheFlagTurnsItOff() {
        assertThat(parse().batchInvariant()).isTrue();
        EngineConfig fast = parse("--no-batch-invariance", "--parallel", "2");
        assertThat(fast.batchInvariant()).isFalse();
        assertThat(fast.parallel()).isEqualTo(2);
    }

    @Test
    void draftingIsOffUnlessTheFlagAsksForIt() {
        assertThat(parse().maxDraftTokens()).isZero();
        assertThat(parse("--draft-tokens", "8").maxDraftTokens()).isEqualTo(8);
    }

    @Test
    void theApiKeyFlagIsReadAndAbsentByDefault() {
        assertThat(command("--api-key", "sk-1").apiKey).isEqualTo("sk-1");
        assertThat(command().apiKey).as("from CHATSERVER_API_KEY").isEqualTo(System.getenv("CHATSERVER_API_KEY"));
    }
}
