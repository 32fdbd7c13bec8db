package dev.chatserver.llama;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model file could not be loaded; the message names the file and the reason (missing, not a GGUF file,
 * truncated, unsupported architecture, ...).
 */
public final class ModelLoadException extends LlamaException {

    private final transient Path file;
    private final String reason;

    /**
     * @param file   the file that was to be loaded
     * @param reason why it could not be, without the file name
     */
    public ModelLoadException(Path file, String reason) {
        super("cannot load model " + Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(reason, "reason"));
        this.file = file;
        this.reason = reason;
    }

    /** @return the file that could not be loaded */
    public Path file() {
        return file;
    }

    /** @return why it could not be loaded, without the file name */
    public String reason() {
        return reason;
    }
}
