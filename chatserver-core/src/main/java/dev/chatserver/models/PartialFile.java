package dev.chatserver.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code <target>.part} file of one download and the running SHA-256 of its content.
 *
 * <p>Owned and used by the one thread running the download. The digest always covers exactly the bytes in the
 * file: a resumed file is hashed from its start when opened, and {@link #restart()} empties both.
 */
final class PartialFile implements AutoCloseable {

    /** Read size when hashing an existing prefix: large enough to keep the disk streaming. */
    private static final int HASH_BUFFER = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private MessageDigest digest = newDigest();
    private long size;

    private PartialFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Opens (or creates) a partial file and hashes what it already holds.
     *
     * @param path the {@code .part} file
     * @return the open file, positioned at its end
     * @throws DownloadException when it cannot be created, read or written
     */
    static PartialFile open(Path path) throws DownloadException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw storage(path, "cannot write", e);
        }
        PartialFile file = new PartialFile(path, channel);
        try {
            // A second download into the same file would interleave bytes; one of them must stop.
            if (tryLock(channel) == null) {
                file.close();
                throw new StorageException(path, "another download is writing " + path, null);
            }
            file.hashExisting();
        } catch (IOException e) {
            file.close();
            throw storage(path, "cannot read partial download", e);
        }
        return file;
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private void hashExisting() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(HASH_BUFFER);
        long position = 0;
        int read;
        while ((read = channel.read(buffer, position)) > 0) {
            digest.update(buffer.array(), 0, read);
            position += read;
            buffer.clear();
        }
        size = position;
        channel.position(size);
    }

    /** @return bytes in the file */
    long size() {
        return size;
    }

    /** @return the file's path */
    Path path() {
        return path;
    }

    /**
     * Appends bytes.
     *
     * @throws DownloadException when the disk is full or the file cannot be written
     */
    void append(byte[] bytes, int offset, int length) throws DownloadException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        try {
            while (buffer.hasRemaining()) channel.write(buffer);
        } catch (IOException e) {
            // A write cut short by a full disk or a size limit still leaves its first bytes in the file: count them,
            // so that digest and size keep describing exactly what the file holds.
            int written = buffer.position() - offset;
            digest.update(bytes, offset, written);
            size += written;
            if (e instanceof ClosedByInterruptException) throw storage(path, "cannot write", e);
            throw new StorageException(path, "cannot write " + path + " beyond " + ByteSizes.format(size) + ": "
                    + reason(e) + "; " + remedy(e), e);
        }
        digest.update(bytes, offset, length);
        size += length;
    }

    /**
     * Empties the file, for when the server cannot continue where it stopped.
     *
     * @throws DownloadException when the file cannot be truncated
     */
    void restart() throws DownloadException {
        try {
            channel.truncate(0);
            channel.position(0);
        } catch (IOException e) {
            throw storage(path, "cannot write", e);
        }
        digest = newDigest();
        size = 0;
    }

    /** @return the SHA-256 of the bytes so far, lower-case hex (the running digest is left untouched) */
    String sha256() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
        }
    }

    /**
     * Flushes the file to disk and renames it to {@code target} in one step, replacing an existing file.
     *
     * @throws DownloadException when the file cannot be flushed or moved
     */
    void commitTo(Path target) throws DownloadException {
        try {
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            throw storage(path, "cannot write", e);
        }
        try {
            try {
                Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Same directory, so this only happens on unusual file systems; a plain move is the best left.
                Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw storage(target, "cannot move the download into place at", e);
        }
    }

    /** Closes and deletes the file; a failure to delete is ignored as there is nothing better to do. */
    void delete() {
        close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Leaving a .part behind is harmless: it is never used under the final name.
        }
    }

    /** Closes the file and keeps it for a later resume. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a file we only wrote through write() cannot lose data that matters: it is re-verified.
        }
    }

    /**
     * Turns an I/O failure into a one-line message, e.g.
     * {@code cannot create directory models: the disk is full (no space left on device)}.
     */
    static DownloadException storage(Path path, String what, IOException e) {
        if (e instanceof ClosedByInterruptException) {
            // FileChannel is interruptible: an interrupt during a write closes it. That is a stop, not a disk fault.
            Thread.currentThread().interrupt();
            return new DownloadInterruptedException(path.toString());
        }
        return new StorageException(path, what + " " + path + ": " + reason(e), e);
    }

    /**
     * The texts below are the C library's {@code strerror} messages for ENOSPC, EDQUOT and EFBIG, which is what the
     * JDK puts into a failed write's exception; a message in another language is passed on as it is.
     */
    private static String reason(IOException e) {
        return switch (systemMessage(e)) {
            case "No space left on device" -> "the disk is full (no space left on device)";
            case "Disk quota exceeded" -> "the disk quota is used up (disk quota exceeded)";
            // EFBIG: beyond what the file system can hold in one file (4 GB on FAT32), or beyond RLIMIT_FSIZE.
            case "File too large" -> "the file system or the file size limit (ulimit -f) allows no larger file"
                    + " (file too large)";
            default -> exceptionReason(e);
        };
    }

    /** @return what the user can do after a failed write, which kept the partial file */
    private static String remedy(IOException e) {
        return switch (systemMessage(e)) {
            case "No space left on device", "Disk quota exceeded" -> "free some space and run again to resume";
            case "File too large" -> "raise the limit and run again to resume, or save to another file system";
            default -> "run again to resume";
        };
    }

    /** @return the operating system's message: a {@link FileSystemException}'s reason, else the message */
    private static String systemMessage(IOException e) {
        String message = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        return message == null ? "" : message;
    }

    private static String exceptionReason(IOException e) {
        return switch (e) {
            case AccessDeniedException _ -> "permission denied";
            case NoSuchFileException _ -> "no such file or directory";
            case FileSystemException fse when fse.getReason() != null -> fse.getReason();
            case FileSystemException fse -> fse.getClass().getSimpleName();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
