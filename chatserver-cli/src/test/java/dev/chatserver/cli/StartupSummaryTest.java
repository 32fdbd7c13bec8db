package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.EngineInfo;
import dev.chatserver.server.ConnectionMode;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The start-up summary's wording, and how llama.cpp's system information is condensed. */
class StartupSummaryTest {

    @Test
    void oneLineSaysWhatRunsAndWhere() {
        EngineInfo info = new EngineInfo("Qwen2.5 Coder 1.5B Instruct", "qwen2", 1_543_714_304L, 2048, 4, 1024);
        String line = new StartupSummary(info, 2, "CPU : SSE3 = 1 | AVX = 1 | AVX512 = 0 | ", ConnectionMode.VIRTUAL,
                "127.0.0.1:12345", URI.create("http://127.0.0.1:5175/")).line();
        assertThat(line).isEqualTo("serving Qwen2.5 Coder 1.5B Instruct (qwen2, 1.54 B parameters): 2048 tokens of"
                + " context per conversation, 4 parallel slots, 2 threads, backend CPU (SSE3 AVX), mode virtual,"
                + " TCP 127.0.0.1:12345, web http://127.0.0.1:5175/");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void singularsAndNoWeb() {
        EngineInfo info = new EngineInfo("tiny", "llama", 950, 512, 1, 24);
        assertThat(new StartupSummary(info, 1, "CPU : ", ConnectionMode.SELECTOR, "0.0.0.0:1", null).line())
                .contains("1 parallel slot,", "1 thread,", "backend CPU,", "mode selector", "web off");
    }

    @Test
    void severalBackendsAreListedWithTheirFeatures() {
        assertThat(StartupSummary.backends("CUDA : ARCHS = 890 | USE_GRAPHS = 1 | CPU : SSE3 = 1 | AVX2 = 1 | "))
                .isEqualTo("CUDA (USE_GRAPHS), CPU (SSE3 AVX2)");
        assertThat(StartupSummary.backends("something else")).isEqualTo("something else");
    }
}
