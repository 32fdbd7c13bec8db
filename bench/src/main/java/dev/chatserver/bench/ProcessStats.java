package dev.chatserver.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * One sample of this process's resource use, read from {@code /proc/self} (Linux) and the JVM.
 * Values are -1 where the platform does not expose them.
 *
 * @param rssBytes   resident set size of the whole process (Java heap, native memory, thread stacks), bytes
 * @param heapBytes  Java heap in use right after a full GC, bytes
 * @param threads    kernel threads of the process (platform threads, JVM and llama.cpp workers; no virtual threads)
 * @param openFiles  open file descriptors of the process (sockets included)
 */
record ProcessStats(long rssBytes, long heapBytes, int threads, int openFiles) {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path FDS = Path.of("/proc/self/fd");

    /** Samples now, after asking for a full GC so that the heap figure holds live data only. Any thread. */
    static ProcessStats sampleAfterGc() {
        for (int i = 0; i < 2; i++) System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new ProcessStats(statusField("VmRSS:") * 1024, heap, (int) statusField("Threads:"), currentOpenFiles());
    }

    /** Open file descriptors of this process, or -1 when {@code /proc} is not there. Any thread. */
    static int currentOpenFiles() {
        if (!Files.isDirectory(FDS)) return -1;
        try (Stream<Path> fds = Files.list(FDS)) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kernel threads of this process, or -1 when {@code /proc} is not there. Any thread. */
    static int currentThreads() {
        return (int) statusField("Threads:");
    }

    /** The number after {@code name} in /proc/self/status (kB for memory lines), or -1. */
    private static long statusField(String name) {
        if (!Files.isReadable(STATUS)) return -1;
        try (Stream<String> lines = Files.lines(STATUS)) {
            return lines.filter(l -> l.startsWith(name))
                    .map(l -> l.substring(name.length()).trim().split("\\s+")[0])
                    .mapToLong(Long::parseLong)
                    .findFirst().orElse(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
