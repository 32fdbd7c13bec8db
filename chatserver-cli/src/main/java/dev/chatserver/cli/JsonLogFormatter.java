package dev.chatserver.cli;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code --log-format json}: one JSON object per line for log shippers,
 * {@code {"time":"2026-12-01T21:30:00.123Z","level":"INFO","logger":"dev.chatserver.server","thread":"main",
 * "message":"..."}}, plus {@code "exception"} (class and message) and {@code "stack"} when the record carries a
 * throwable. Levels use {@link System.Logger.Level}'s names (DEBUG, INFO, WARNING, ERROR), as our code logs them.
 * Line breaks inside the values are escaped by the JSON encoding, so a record is always one line. Stateless.
 */
final class JsonLogFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        JsonObjectBuilder line = Json.createObjectBuilder()
                .add("time", Instant.ofEpochMilli(record.getMillis()).toString())
                .add("level", levelName(record.getLevel()))
                .add("logger", record.getLoggerName() == null ? "" : record.getLoggerName())
                .add("thread", threadName(record.getLongThreadID()))
                .add("message", formatMessage(record));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            line.add("exception", thrown.toString());
            StringWriter stack = new StringWriter();
            thrown.printStackTrace(new PrintWriter(stack));
            line.add("stack", stack.toString());
        }
        return line.build().toString() + System.lineSeparator();
    }

    /** The {@link System.Logger.Level} a JDK logging level came from. */
    static String levelName(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) return "ERROR";
        if (value >= Level.WARNING.intValue()) return "WARNING";
        if (value >= Level.INFO.intValue()) return "INFO";
        if (value >= Level.FINE.intValue()) return "DEBUG";
        return "TRACE";
    }

    /** The name of the logging thread when it is the current one (it almost always is), else its id. */
    private static String threadName(long id) {
        Thread current = Thread.currentThread();
        return current.threadId() == id ? current.getName() : "#" + id;
    }
}
