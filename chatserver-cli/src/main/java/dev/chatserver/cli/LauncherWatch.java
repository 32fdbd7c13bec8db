package dev.chatserver.cli;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;

/**
 * In a JVM started by the {@link Launcher}: notices when the launcher is gone without stopping this JVM (killed with
 * SIGKILL, which it cannot pass on) and then stops this JVM the usual way, by sending itself SIGTERM (the server
 * shuts down in order and frees its ports). Without it the JVM would run on as an orphan holding the ports.
 *
 * <p>The launcher names its own pid in the system property {@value #PARENT_PID_PROPERTY}; a daemon platform thread
 * checks every {@link #PERIOD} whether this process's parent is still that process (when the launcher dies, the
 * operating system gives its child another parent), so the loss is noticed within that period.
 */
final class LauncherWatch {

    /** Set by the launcher on the JVM it starts: the launcher's pid. */
    static final String PARENT_PID_PROPERTY = "chatserver.launcherPid";
    /** How often the parent is checked; a check reads one small file of /proc. */
    static final Duration PERIOD = Duration.ofMillis(200);

    private static final System.Logger LOG = System.getLogger(LauncherWatch.class.getName());

    private LauncherWatch() {
    }

    /** Starts watching when this JVM was started by the launcher; otherwise does nothing. Main thread. */
    static void startIfLaunched() {
        String pid = System.getProperty(PARENT_PID_PROPERTY);
        if (pid == null) {
            return;
        }
        long launcher;
        try {
            launcher = Long.parseLong(pid.strip());
        } catch (NumberFormatException e) {
            return;
        }
        Thread.ofPlatform().daemon().name("launcher-watch").start(() -> watch(launcher));
    }

    private static void watch(long launcher) {
        try {
            while (parentIs(launcher)) {
                Thread.sleep(PERIOD);
            }
        } catch (InterruptedException e) {
            return;
        }
        LOG.log(Level.WARNING, "the launcher (pid {0}) is gone: stopping", Long.toString(launcher));
        OsSignals.raise("TERM");
    }

    private static boolean parentIs(long launcher) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        return parent.isPresent() && parent.get().pid() == launcher && parent.get().isAlive();
    }
}
