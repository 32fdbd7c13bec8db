package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** {@code --log-format json}: one JSON object per record, on one line whatever the message holds. */
class JsonLogFormatterTest {

    private static JsonObject format(LogRecord record) {
        String text = new JsonLogFormatter().format(record);
        assertThat(text).endsWith(System.lineSeparator());
        assertThat(text.strip()).doesNotContain("\n", "\r");
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void aRecordWithParametersAndLineBreaksIsOneLine() {
        LogRecord record = new LogRecord(Level.INFO, "session {0}: said \"{1}\"");
        record.setParameters(new Object[] {"s-1", "two\nlines"});
        record.setLoggerName("dev.chatserver.server");
        record.setMillis(1_764_624_600_123L);
        JsonObject json = format(record);
        assertThat(json.getString("message")).isEqualTo("session s-1: said \"two\nlines\"");
        assertThat(json.getString("level")).isEqualTo("INFO");
        assertThat(json.getString("logger")).isEqualTo("dev.chatserver.server");
        assertThat(json.getString("time")).isEqualTo("2025-12-01T21:30:00.123Z");
        assertThat(json.getString("thread")).isEqualTo(Thread.currentThread().getName());
        assertThat(json.containsKey("exception")).isFalse();
    }

    @Test
    void aThrowableGoesWithItsStackTrace() {
        LogRecord record = new LogRecord(Level.SEVERE, "engine thread failed");
        record.setThrown(new IllegalStateException("broken"));
        JsonObject json = format(record);
        assertThat(json.getString("level")).isEqualTo("ERROR");
        assertThat(json.getString("exception")).isEqualTo("java.lang.IllegalStateException: broken");
        assertThat(json.getString("stack")).contains("JsonLogFormatterTest");
    }

    @Test
    void levelsUseTheSystemLoggerNames() {
        assertThat(JsonLogFormatter.levelName(Level.WARNING)).isEqualTo("WARNING");
        assertThat(JsonLogFormatter.levelName(Level.FINE)).isEqualTo("DEBUG");
        assertThat(JsonLogFormatter.levelName(Level.FINEST)).isEqualTo("TRACE");
    }
}
