package dev.chatserver.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the results were measured on; printed in the report and on every chart.
 *
 * @param cores          processors the JVM sees
 * @param memoryBytes    physical memory of the machine, bytes (-1 unknown)
 * @param jdk            Java runtime name and version
 * @param os             operating system and architecture
 * @param openFileLimit  the process's open-file limit after the JVM raised its soft limit (-1 unknown)
 */
record MachineInfo(int cores, long memoryBytes, String jdk, String os, long openFileLimit) {

    /** Describes the machine this JVM runs on. Any thread. */
    static MachineInfo current() {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), currentOpenFileLimit());
    }

    /** The soft "Max open files" limit of this process from /proc/self/limits, or -1. */
    static long currentOpenFileLimit() {
        Path limits = Path.of("/proc/self/limits");
        if (!Files.isReadable(limits)) return -1;
        try {
            for (String line : Files.readAllLines(limits)) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** One line for chart captions, e.g. {@code 2 cores, 23.4 GiB, OpenJDK 64-Bit Server VM 25+36}. */
    String label() {
        return cores + " cores, " + (memoryBytes < 0 ? "? GiB" : String.format("%.1f GiB", memoryBytes / (double) (1L << 30)))
                + ", " + jdk;
    }
}
