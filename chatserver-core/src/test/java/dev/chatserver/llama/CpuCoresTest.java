package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CpuCores}: physical cores from a Linux-style topology tree, the affinity mask and the JVM's bound. */
class CpuCoresTest {

    /** Writes cpuN/topology for CPUs whose core ids are given (package 0; a repeated id is a hyperthread). */
    private static Path topology(Path dir, int... coreIds) throws IOException {
        for (int cpu = 0; cpu < coreIds.length; cpu++) {
            Path topology = Files.createDirectories(dir.resolve("cpu" + cpu).resolve("topology"));
            Files.writeString(topology.resolve("core_id"), coreIds[cpu] + "\n");
            Files.writeString(topology.resolve("physical_package_id"), "0\n");
        }
        Files.createDirectories(dir.resolve("cpufreq")); // not a CPU
        return dir;
    }

    @Test
    void coresWithoutHyperthreadsCountOnceEach(@TempDir Path dir) throws IOException {
        assertThat(CpuCores.physical(topology(dir, 0, 1), null, 2)).contains(2);
    }

    @Test
    void hyperthreadSiblingsShareACore(@TempDir Path dir) throws IOException {
        assertThat(CpuCores.physical(topology(dir, 0, 1, 2, 3, 0, 1, 2, 3), null, 8)).contains(4);
    }

    @Test
    void theAffinityMaskAndTheJvmsBoundLimitTheCount(@TempDir Path dir) throws IOException {
        topology(dir, 0, 1, 2, 3, 0, 1, 2, 3);
        assertThat(CpuCores.physical(dir, "0,4-5", 8)).contains(2); // cores 0 and 1
        assertThat(CpuCores.physical(dir, null, 3)).contains(3);
        assertThat(CpuCores.parseList("0-2,7, 9-10").cardinality()).isEqualTo(6);
    }

    @Test
    void anUnreadableTopologyGivesNothing(@TempDir Path dir) {
        assertThat(CpuCores.physical(dir.resolve("missing"), null, 4)).isEmpty();
        assertThat(CpuCores.physical(dir, null, 4)).isEmpty();
    }

    @Test
    void thisMachineGetsAtLeastOneThreadAndNoMoreThanItsProcessors() {
        int threads = ContextParams.defaultThreads();
        System.out.println("default decode threads here: " + threads + " of "
                + Runtime.getRuntime().availableProcessors() + " processors");
        assertThat(threads).isBetween(1, Runtime.getRuntime().availableProcessors());
    }
}
