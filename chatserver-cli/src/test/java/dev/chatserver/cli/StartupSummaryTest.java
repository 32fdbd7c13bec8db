package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.EngineInfo;
import dev.chatserver.server.ConnectionMode;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The start-up summary's wording. */
class StartupSummaryTest {

    @Test
    void oneLineSaysWhatRunsAndWhere() {
        EngineInfo info = new EngineInfo("Qwen2.5 Coder 1.5B Instruct", "qwen2", 1_543_714_304L, 2048, 4, 1024,
                "llama.cpp v0.5.0, CPU backend haswell");
        String line = new StartupSummary(info, 2, ConnectionMode.VIRTUAL, "127.0.0.1:12345",
                URI.create("http://127.0.0.1:5175/")).line();
        assertThat(line).isEqualTo("serving Qwen2.5 Coder 1.5B Instruct (qwen2, 1.54 B parameters): 2048 tokens of"
                + " context per conversation, 4 parallel slots, 2 threads, llama.cpp v0.5.0, CPU backend haswell,"
                + " mode virtual, TCP 127.0.0.1:12345, web http://127.0.0.1:5175/");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void singularsAndNoWeb() {
        EngineInfo info = new EngineInfo("tiny", "llama", 950, 512, 1, 24, "llama.cpp v0.5.0, CPU backend x64");
        assertThat(new StartupSummary(info, 1, ConnectionMode.SELECTOR, "0.0.0.0:1", null).line())
                .contains("(llama, 950 parameters)", "1 parallel slot,", "1 thread,", "CPU backend x64,",
                        "mode selector", "web off");
    }
}
