package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama.cpp's log reaches the Java logger, joined into lines; loading prints nothing. */
class NativeLogTest {

    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public synchronized void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger logger = Logger.getLogger(NativeLog.LOGGER_NAME);
    private Level savedLevel;

    @TempDir
    Path dir;

    @BeforeEach
    void listen() {
        savedLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(handler);
        logger.setLevel(savedLevel);
    }

    @Test
    void informationArrivesAsDebugInWholeLines() {
        try (LlamaModel model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults())) {
            assertThat(model.info().architecture()).isEqualTo("llama");
        }
        List<LogRecord> seen = snapshot();
        assertThat(seen).isNotEmpty();
        assertThat(seen).allSatisfy(r -> assertThat(r.getMessage()).doesNotContain("\n").isNotBlank());
        // INFO lines of llama.cpp are DEBUG (JUL FINE) here: invisible with the default configuration.
        assertThat(seen).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.FINE);
            assertThat(r.getMessage()).contains("llama_model_loader");
        });
    }

    @Test
    void aRefusedModelLogsItsReasonAsAnError() throws IOException {
        byte[] gguf = GgufBytes.header(3, 0, 1).kv("general.architecture", "nosucharch").bytes();
        Path file = Files.write(dir.resolve("nosucharch.gguf"), gguf);
        assertThatThrownBy(() -> LlamaModel.load(file, ModelParams.defaults())).isInstanceOf(ModelLoadException.class);
        assertThat(snapshot()).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getMessage()).contains("unknown model architecture: 'nosucharch'");
        });
    }

    @Test
    void piecesAreJoinedAndContinuationsKeepTheirLevel() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            NativeLog.onLog(3, arena.allocateFrom("first half, "), java.lang.foreign.MemorySegment.NULL);
            NativeLog.onLog(5, arena.allocateFrom("second half\nnext "), java.lang.foreign.MemorySegment.NULL);
            NativeLog.onLog(5, arena.allocateFrom("line\n"), java.lang.foreign.MemorySegment.NULL);
            NativeLog.onLog(4, java.lang.foreign.MemorySegment.NULL, java.lang.foreign.MemorySegment.NULL);
        }
        assertThat(snapshot()).extracting(LogRecord::getLevel, LogRecord::getMessage).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Level.WARNING, "first half, second half"),
                org.assertj.core.groups.Tuple.tuple(Level.WARNING, "next line"));
    }

    @Test
    void loadingAndGeneratingPrintNothing() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), QuietLoadMain.class.getName(),
                TestModels.tiny().toString()).start();
        process.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
        assertThat(out.get(1, TimeUnit.MINUTES)).as("standard output").isEmpty();
        assertThat(err.get(1, TimeUnit.MINUTES)).as("standard error").isEmpty();
        assertThat(process.exitValue()).as("exit code").isZero();
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private List<LogRecord> snapshot() {
        synchronized (handler) {
            return List.copyOf(records);
        }
    }
}
