package dev.chatserver.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file could not be read as a GGUF model: it is missing, not a GGUF file, of an unsupported version,
 * truncated, or holds values no sane writer produces. The message is {@code "<file>: <reason>"}.
 *
 * <p>It is an {@link IOException} because it describes a problem with a file the caller chose, which callers
 * must handle (typically by showing the message to a user) rather than a programming error.
 */
public final class GgufFormatException extends IOException {
    /** The file being read (transient: a Path is not serializable). */
    private final transient Path file;
    /** What is wrong, without the file name. */
    private final String reason;

    /**
     * A failure without an underlying cause.
     *
     * @param file   the file that was being read
     * @param reason what is wrong with it, in words for a user
     */
    public GgufFormatException(Path file, String reason) {
        this(file, reason, null);
    }

    /**
     * A failure caused by another exception (usually an I/O error).
     *
     * @param file   the file that was being read
     * @param reason what is wrong with it, in words for a user
     * @param cause  the underlying failure, or null
     */
    public GgufFormatException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }

    /** What is wrong with the file, without the file name. */
    public String reason() {
        return reason;
    }
}
