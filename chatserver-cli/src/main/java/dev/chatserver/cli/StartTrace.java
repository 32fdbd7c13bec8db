package dev.chatserver.cli;

/**
 * Time stamps of a start, for {@code bench/start-time.sh --phases}: when the system property {@value #PROPERTY}
 * holds a {@link System#nanoTime()} value of the measuring process (on Linux the clock is the same in every process),
 * each {@link #mark} prints {@code start trace: <phase> <milliseconds since then>} on stderr. Without the property it
 * does nothing. The launcher prints its own marks the same way, and passes the property on to a child JVM with its
 * other options. Called on the main thread.
 */
final class StartTrace {

    /** The origin of the marks: a {@code System.nanoTime()} value of the process that measures the start. */
    static final String PROPERTY = "chatserver.startTrace";

    private static final long ORIGIN = origin();

    private StartTrace() {
    }

    /** @return whether marks are printed */
    static boolean enabled() {
        return ORIGIN != Long.MIN_VALUE;
    }

    /** Prints the time since the origin, if enabled. */
    static void mark(String phase) {
        if (enabled()) System.err.printf("start trace: %s %.1f%n", phase, (System.nanoTime() - ORIGIN) / 1e6);
    }

    private static long origin() {
        try {
            return Long.parseLong(System.getProperty(PROPERTY, "").strip());
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
