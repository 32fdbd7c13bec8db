package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The server command's engine options reach the {@code EngineConfig}. JUnit thread only. */
class ServerEngineOptionsTest {

    private static final Path MODEL = Path.of("model.gguf");

    @Test
    void batchInvarianceIsOnUnlessTheFlagTurnsItOff() {
        ServerCommand plain = new ServerCommand();
        new CommandLine(plain).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
        assertThat(plain.engineConfig(MODEL).batchInvariant()).isTrue();

        ServerCommand fast = new ServerCommand();
        new CommandLine(fast).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--no-batch-invariance", "--parallel", "2");
        assertThat(fast.engineConfig(MODEL).batchInvariant()).isFalse();
        assertThat(fast.engineConfig(MODEL).parallel()).isEqualTo(2);
    }

    @Test
    void draftingIsOffUnlessTheFlagAsksForIt() {
        ServerCommand plain = new ServerCommand();
        new CommandLine(plain).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
        assertThat(plain.engineConfig(MODEL).maxDraftTokens()).isZero();

        ServerCommand drafting = new ServerCommand();
        new CommandLine(drafting).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--draft-tokens", "8");
        assertThat(drafting.engineConfig(MODEL).maxDraftTokens()).isEqualTo(8);
    }
}
