package dev.chatserver.llama;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatserver.testing.TestModels;
import java.nio.file.Path;
import java.util.Optional;

/** The optional real model of these tests. */
final class SharedModels {

    private SharedModels() {
    }

    /** @return the tiny real llama model; skips the calling test, visibly, when it is absent */
    static Path stories() {
        Optional<Path> stories = TestModels.stories();
        assumeTrue(stories.isPresent(), () -> "skipped: " + TestModels.STORIES + " not found in the folder named by "
                + TestModels.SHARED_MODELS_PROPERTY + " (" + System.getProperty(TestModels.SHARED_MODELS_PROPERTY) + ")");
        return stories.get();
    }
}
