package dev.chatserver.testing;

import dev.chatserver.gguf.SyntheticModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Model files for tests. The tiny synthetic model is always available (written once into the module's
 * {@code target/test-models} and shared by every test that asks); the real stories260k model only when the
 * system property {@code chatserver.sharedModels} names a folder that holds it.
 *
 * <p>Stateless; safe on any thread.
 */
public final class TestModels {
    /** System property naming the folder of shared real models. */
    public static final String SHARED_MODELS_PROPERTY = "chatserver.sharedModels";
    /** File name of the small real llama model (512-token vocabulary, no chat template). */
    public static final String STORIES = "stories260k.gguf";

    private TestModels() {
    }

    /** The tiny synthetic model ({@link SyntheticModel#tiny()}), written on first use. */
    public static Path tiny() {
        return synthetic(SyntheticModel.tiny());
    }

    /** Any synthetic model, cached beside the tiny one. */
    public static Path synthetic(SyntheticModel model) {
        try {
            return model.cachedIn(modelDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic test model " + model, e);
        }
    }

    /** The folder where synthetic test models are cached: {@code <module>/target/test-models}. */
    public static Path modelDirectory() {
        return Path.of(System.getProperty("basedir", "."), "target", "test-models").toAbsolutePath().normalize();
    }

    /**
     * The stories260k model when present. Callers skip visibly when empty, e.g.
     * {@code assumeTrue(stories.isPresent(), "stories260k.gguf not found under chatserver.sharedModels")}.
     */
    public static Optional<Path> stories() {
        String folder = System.getProperty(SHARED_MODELS_PROPERTY);
        if (folder == null || folder.isBlank()) {
            return Optional.empty();
        }
        Path file = Path.of(folder, STORIES);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The stories260k model; aborts the calling test (reported as skipped, with the reason) when absent. */
    public static Path storiesOrSkip() {
        Optional<Path> stories = stories();
        assumeTrue(stories.isPresent(), () -> STORIES + " not found in " + SHARED_MODELS_PROPERTY + " = "
                + System.getProperty(SHARED_MODELS_PROPERTY));
        return stories.orElseThrow();
    }
}
