package dev.chatserver.llama;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Receives llama.cpp's and ggml's log ({@code llama_log_set}) and writes it to the {@link System.Logger}
 * {@value #LOGGER_NAME}: errors as ERROR, warnings as WARNING, information as DEBUG, debug output as TRACE.
 *
 * <p>llama.cpp emits a line in pieces ({@code CONT} continues the previous piece, only {@code '\n'} ends a line), so
 * each thread's pieces are joined until the newline. The callback runs on whichever thread calls into llama.cpp,
 * including native worker threads; it never throws (an exception escaping an upcall would end the JVM).
 *
 * <p>A thread may {@linkplain #capture() capture} the warnings and errors of its own calls, e.g. to report why a
 * model did not load.
 */
final class NativeLog {

    /** Name of the logger that receives llama.cpp's output. */
    static final String LOGGER_NAME = "dev.chatserver.llama.native";

    private static final System.Logger LOG = System.getLogger(LOGGER_NAME);

    // ggml_log_level values
    private static final int NONE = 0;
    private static final int DEBUG = 1;
    private static final int INFO = 2;
    private static final int WARN = 3;
    private static final int ERROR = 4;
    private static final int CONT = 5;

    /** The unfinished line of this thread: its level and the pieces so far. */
    private static final class Pending {
        int level = INFO;
        final StringBuilder text = new StringBuilder();
    }

    /** Parts of llama.cpp's lines that mark them as routine (see {@link #isRoutine}). */
    private static final String[] ROUTINE = {
            "the full capacity of the model will not be utilized",
            "failed to prepare ubatch",
            "failed to find KV cache slot",
            "failed to find a memory slot",
            "failed to decode, ret = 1",
    };

    /** ggml's line for each backend library it loaded: {@code load_backend: loaded CPU backend from <path>}. */
    private static final Pattern LOADED_BACKEND = Pattern.compile(".*loaded (\\S+) backend from (.+)");
    /** Backends ggml loaded, as "CPU: haswell" (the library's variant) or "CUDA"; in loading order. */
    private static final List<String> BACKENDS = new CopyOnWriteArrayList<>();

    private static final ThreadLocal<Pending> PENDING = ThreadLocal.withInitial(Pending::new);
    private static final ThreadLocal<List<Line>> CAPTURED = new ThreadLocal<>();

    /**
     * One captured line.
     *
     * @param error true for an error, false for a warning
     * @param text  the line without its newline
     */
    record Line(boolean error, String text) {
    }

    private NativeLog() {
    }

    /**
     * The upcall target: {@code void (*)(enum ggml_log_level level, const char * text, void * user_data)}.
     *
     * @param level    a ggml log level
     * @param text     a NUL-terminated piece of a line
     * @param userData unused
     */
    static void onLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            Pending pending = PENDING.get();
            if (level != CONT) {
                if (!pending.text.isEmpty()) flush(pending); // a new message ends an unterminated one
                pending.level = level;
            }
            if (text.address() == 0) return;
            String piece = text.reinterpret(Integer.MAX_VALUE).getString(0);
            int start = 0;
            for (int nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', start)) {
                pending.text.append(piece, start, nl);
                flush(pending);
                start = nl + 1;
            }
            pending.text.append(piece, start, piece.length());
        } catch (Throwable ignored) {
            // Nothing may escape an upcall; losing a log line is the lesser harm.
        }
    }

    private static void flush(Pending pending) {
        String line = pending.text.toString();
        pending.text.setLength(0);
        if (line.isBlank()) return;
        int level = pending.level;
        if (level == INFO) noteBackend(line);
        List<Line> captured = CAPTURED.get();
        if (captured != null && (level == ERROR || level == WARN)) captured.add(new Line(level == ERROR, line));
        Level javaLevel = isRoutine(line) ? Level.DEBUG : switch (level) {
            case ERROR -> Level.ERROR;
            case WARN -> Level.WARNING;
            case INFO, NONE -> Level.DEBUG;
            default -> Level.TRACE;
        };
        if (LOG.isLoggable(javaLevel)) LOG.log(javaLevel, line);
    }

    private static void noteBackend(String line) {
        Matcher m = LOADED_BACKEND.matcher(line);
        if (!m.matches()) return;
        String file = m.group(2).strip();
        file = file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
        Matcher variant = Pattern.compile("(?:lib)?ggml-[a-z]+-([A-Za-z0-9_.]+?)\\.(?:so|dylib|dll)").matcher(file);
        BACKENDS.add(variant.matches() ? m.group(1) + ": " + variant.group(1) : m.group(1));
    }

    /** @return the backends ggml has loaded so far, e.g. {@code [CPU: haswell]} */
    static List<String> loadedBackends() {
        return List.copyOf(BACKENDS);
    }

    /**
     * Complaints that are not problems for us, logged as DEBUG: a context smaller per sequence than the training
     * context (the normal case when serving several conversations), and a full KV cache, which
     * {@link LlamaContext#decode} reports to its caller as {@link DecodeResult#NO_KV_SLOT}.
     */
    private static boolean isRoutine(String line) {
        for (String routine : ROUTINE) {
            if (line.contains(routine)) return true;
        }
        return false;
    }

    /**
     * Starts collecting the warning and error lines llama.cpp logs on the calling thread.
     *
     * @return the capture; close it on the same thread
     */
    static Capture capture() {
        List<Line> lines = new ArrayList<>();
        CAPTURED.set(lines);
        return new Capture(lines);
    }

    /** Warning and error lines logged on one thread while it was open. Not thread-safe. */
    static final class Capture implements AutoCloseable {
        private final List<Line> lines;

        private Capture(List<Line> lines) {
            this.lines = lines;
        }

        /** @return the error lines so far, oldest first, or the warnings when there are no errors */
        List<String> lines() {
            Pending pending = PENDING.get();
            if (!pending.text.isEmpty()) flush(pending);
            boolean anyError = lines.stream().anyMatch(Line::error);
            return lines.stream().filter(l -> l.error() || !anyError).map(Line::text).toList();
        }

        @Override
        public void close() {
            CAPTURED.remove();
        }
    }
}
