package dev.chatserver.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How many physical cores this process may run on, for the default number of decode threads. ggml's CPU kernels
 * gain nothing from a core's second hardware thread (both share the vector units and the memory bandwidth that a
 * decode step is bound by), but lose a lot when they get fewer threads than cores: on a 2-core machine without SMT
 * a lone session on a 0.6B-parameter Q8_0 model made 11.3 tokens/s with one thread and 20.0 with two.
 *
 * <p>The rule: the distinct (package, core) pairs among the logical CPUs in this process's affinity mask, as Linux
 * reports them in {@code /sys/devices/system/cpu/cpuN/topology/{physical_package_id,core_id}} and
 * {@code /proc/self/status} ({@code Cpus_allowed_list}); at most {@link Runtime#availableProcessors()} (which also
 * reflects a container's CPU quota); at least 1. Where the OS does not tell (not Linux, or the files are missing),
 * half the logical processors, as if every core had two hardware threads. Stateless; any thread.
 */
final class CpuCores {

    private static final Path SYS_CPU = Path.of("/sys/devices/system/cpu");
    private static final Path SELF_STATUS = Path.of("/proc/self/status");

    private CpuCores() {
    }

    /** @return the default decode threads for this machine (see the class documentation) */
    static int physical() {
        int available = Runtime.getRuntime().availableProcessors();
        Optional<String> allowed = allowedList(SELF_STATUS);
        return physical(SYS_CPU, allowed.orElse(null), available).orElse(Math.max(1, available / 2));
    }

    /**
     * @param sysCpu      the folder holding {@code cpuN/topology}
     * @param allowedList the affinity mask as a list such as {@code 0-3,8}, or null for every CPU listed there
     * @param available   the processors the JVM may use, an upper bound
     * @return the physical cores, or empty when the topology cannot be read
     */
    static Optional<Integer> physical(Path sysCpu, String allowedList, int available) {
        BitSet allowed = allowedList == null ? null : parseList(allowedList);
        Set<String> cores = new HashSet<>();
        try (var entries = Files.list(sysCpu)) {
            for (Path cpu : (Iterable<Path>) entries::iterator) {
                String name = cpu.getFileName().toString();
                if (!name.matches("cpu\\d+")) continue;
                int id = Integer.parseInt(name.substring(3));
                if (allowed != null && !allowed.get(id)) continue;
                Path topology = cpu.resolve("topology");
                if (!Files.isRegularFile(topology.resolve("core_id"))) continue; // offline
                cores.add(read(topology.resolve("physical_package_id")) + ":" + read(topology.resolve("core_id")));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (cores.isEmpty()) return Optional.empty();
        return Optional.of(Math.max(1, Math.min(cores.size(), available)));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    private static Optional<String> allowedList(Path status) {
        try {
            List<String> lines = Files.readAllLines(status);
            for (String line : lines) {
                if (line.startsWith("Cpus_allowed_list:")) return Optional.of(line.substring(18).strip());
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: every CPU the topology lists
        }
        return Optional.empty();
    }

    /** @return the CPUs of a list such as {@code 0-3,8,10-11} */
    static BitSet parseList(String list) {
        BitSet set = new BitSet();
        for (String part : list.split(",")) {
            String range = part.strip();
            if (range.isEmpty()) continue;
            int dash = range.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
            set.set(from, to + 1);
        }
        return set;
    }
}
