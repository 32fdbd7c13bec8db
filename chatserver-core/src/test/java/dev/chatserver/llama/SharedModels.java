package dev.chatserver.llama;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the optional real models shared between checkouts (system property {@code chatserver.sharedModels}). */
final class SharedModels {

    private SharedModels() {
    }

    /** @return the tiny real llama model; skips the calling test, visibly, when it is absent */
    static Path stories() {
        String dir = System.getProperty("chatserver.sharedModels", "../shared/models");
        Path file = Path.of(dir, "stories260k.gguf");
        assumeTrue(Files.isRegularFile(file), () -> "skipped: shared test model " + file + " is not present");
        return file;
    }
}
