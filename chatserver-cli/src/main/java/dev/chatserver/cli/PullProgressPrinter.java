package dev.chatserver.cli;

import dev.chatserver.models.ByteSizes;
import dev.chatserver.models.DownloadProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a download's progress: on a terminal one line redrawn in place ({@code \r}) with a bar, bytes, percent,
 * speed and time left; otherwise (a pipe, a log file) a plain line every 5 seconds or every 10 %, whichever comes
 * first, and one at the end. Called on the downloading thread only.
 */
final class PullProgressPrinter implements DownloadProgress {

    private static final long PLAIN_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final boolean terminal;
    private long lastPlainNanos = System.nanoTime();
    private long lastPlainTenth = -1;
    private long lastDone = -1;
    private int drawnWidth;

    /**
     * @param out      where to print
     * @param terminal whether {@code out} is a terminal that understands {@code \r}
     */
    PullProgressPrinter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** @return whether this process's stdout is an interactive terminal */
    static boolean stdoutIsTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    @Override
    public void resumed(long fromByte) {
        endLine();
        out.println("Resuming a partial download at " + ByteSizes.format(fromByte));
        out.flush();
    }

    @Override
    public void update(long bytesDone, long totalBytes, double bytesPerSecond) {
        if (terminal) {
            draw(bar(bytesDone, totalBytes) + describe(bytesDone, totalBytes, bytesPerSecond));
        } else if (plainLineDue(bytesDone, totalBytes)) {
            out.println("  " + describe(bytesDone, totalBytes, bytesPerSecond));
            out.flush();
        }
        lastDone = bytesDone;
    }

    /** Ends the redrawn line, if one is showing, so that what follows starts on a line of its own. */
    void endLine() {
        if (drawnWidth > 0) {
            out.println();
            out.flush();
            drawnWidth = 0;
        }
    }

    private boolean plainLineDue(long done, long total) {
        long now = System.nanoTime();
        long tenth = total > 0 ? done * 10 / total : -1;
        boolean finished = total > 0 && done >= total && lastDone < total;
        if (finished || tenth > lastPlainTenth || now - lastPlainNanos >= PLAIN_EVERY_NANOS) {
            if (done == lastDone && !finished) return false; // nothing new to say
            lastPlainNanos = now;
            lastPlainTenth = tenth;
            return true;
        }
        return false;
    }

    private void draw(String line) {
        // Pad over the rest of a longer previous line instead of relying on terminal escape codes.
        String padding = " ".repeat(Math.max(0, drawnWidth - line.length()));
        out.print("\r" + line + padding);
        out.flush();
        drawnWidth = line.length();
    }

    private static String bar(long done, long total) {
        if (total <= 0) return "";
        int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] ";
    }

    /** E.g. {@code 42%  800 MB of 1.9 GB  12.3 MB/s  ETA 1m 29s}. */
    static String describe(long done, long total, double bytesPerSecond) {
        StringBuilder line = new StringBuilder();
        if (total > 0) {
            line.append(String.format(Locale.ROOT, "%3d%%  ", done * 100 / total));
            line.append(ByteSizes.format(done)).append(" of ").append(ByteSizes.format(total));
        } else {
            line.append(ByteSizes.format(done));
        }
        if (bytesPerSecond > 0) {
            line.append("  ").append(ByteSizes.format((long) bytesPerSecond)).append("/s");
            if (total > done) line.append("  ETA ").append(duration((long) ((total - done) / bytesPerSecond)));
        }
        return line.toString();
    }

    /** @return e.g. {@code 45s}, {@code 3m 05s}, {@code 1h 02m} */
    static String duration(long seconds) {
        if (seconds < 60) return seconds + "s";
        if (seconds < 3600) return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }
}
