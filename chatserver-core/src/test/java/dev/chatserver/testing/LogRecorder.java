package dev.chatserver.testing;

import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what one logger (and its children) logs at {@code INFO} and above while it is open: {@code System.Logger}
 * goes to {@code java.util.logging} when no other backend is installed, as in these tests. Records are kept with
 * their parameters filled in. Any thread logs; the test thread reads.
 */
public final class LogRecorder extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> lines = new ArrayList<>();
    /** The lines whose record carried an exception, i.e. that a log prints with a stack trace. */
    private final List<String> withStackTrace = new ArrayList<>();

    private LogRecorder(Logger logger) {
        this.logger = logger;
    }

    /**
     * @param name a logger name, e.g. a package
     * @return a recorder attached to that logger until closed
     */
    public static LogRecorder of(String name) {
        LogRecorder recorder = new LogRecorder(Logger.getLogger(name));
        recorder.setLevel(Level.INFO);
        recorder.logger.addHandler(recorder);
        return recorder;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (isLoggable(record)) {
            Object[] parameters = record.getParameters();
            String text = parameters == null ? record.getMessage()
                    : MessageFormat.format(record.getMessage(), parameters);
            String line = record.getLevel() + " " + text;
            lines.add(line);
            if (record.getThrown() != null) withStackTrace.add(line + " (" + record.getThrown() + ")");
            notifyAll();
        }
    }

    /** @return the lines so far, each {@code LEVEL message} */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** @return the lines so far whose record carried an exception, each followed by the exception in brackets */
    public synchronized List<String> withStackTrace() {
        return List.copyOf(withStackTrace);
    }

    /**
     * Waits until as many lines as wanted match.
     *
     * @return the matching lines
     */
    public synchronized List<String> await(Predicate<String> matching, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> found = lines.stream().filter(matching).toList();
            long left = deadline - System.nanoTime();
            if (found.size() >= count || left <= 0) return found;
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
