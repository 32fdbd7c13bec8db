package dev.chatserver.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SyntheticModel#cachedIn} when several threads and JVMs ask for the same model at once. */
class SyntheticModelCacheTest {

    /** About 20 MB, so that concurrent writers overlap. */
    static final SyntheticModel MODEL = SyntheticModel.builder()
            .vocab(4000).embd(256).layers(4).heads(8).kvHeads(4).feedForward(768).seed(3).name("cache-race").build();

    @TempDir
    Path dir;

    private String expectedHash() throws IOException {
        Path reference = Files.createDirectory(dir.resolve("reference")).resolve("model.gguf");
        MODEL.write(reference);
        return SyntheticModelTest.sha256(reference);
    }

    @Test
    void threadsRacingGetOneCompleteFile() throws Exception {
        Path cache = dir.resolve("cache");
        List<Future<Path>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                results.add(threads.submit(() -> MODEL.cachedIn(cache)));
            }
        }
        Path file = results.getFirst().get();
        for (Future<Path> result : results) {
            assertThat(result.get()).isEqualTo(file);
        }
        assertThat(SyntheticModelTest.sha256(file)).isEqualTo(expectedHash());
        assertThat(cache).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void processesRacingGetOneCompleteFile() throws Exception {
        Path cache = dir.resolve("cache");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(new ProcessBuilder(java.toString(),
                    "-cp", System.getProperty("java.class.path"), CachedInProcess.class.getName(), cache.toString())
                    .redirectErrorStream(true).start());
        }
        List<String> outputs = new ArrayList<>();
        for (Process process : processes) {
            assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(process.exitValue()).as("exit status, output: %s", output).isZero();
            outputs.add(output);
        }
        Path file = cache.resolve("synthetic-" + MODEL.hash() + ".gguf");
        assertThat(outputs).containsOnly(file.toString());
        assertThat(SyntheticModelTest.sha256(file)).isEqualTo(expectedHash());
        assertThat(cache).isDirectoryNotContaining("glob:**.tmp");
    }
}
