package dev.chatserver.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * This machine's memory bandwidth, for the throughput benchmark's bound: a one-row decode step must read every
 * weight once, so it cannot take less than the model's bytes over this rate. Measured as the best of several
 * copies of a 256 MiB off-heap block (far larger than any cache), counting the bytes read and written. Runs on the
 * calling thread.
 */
final class MemoryBandwidth {

    private static final long BYTES = 256L << 20;
    private static final int ROUNDS = 6;

    private MemoryBandwidth() {
    }

    /** @return bytes moved per second (read + written), best round */
    static double measure() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment from = arena.allocate(BYTES, 64);
            MemorySegment to = arena.allocate(BYTES, 64);
            from.fill((byte) 1);
            to.fill((byte) 2);
            long best = Long.MAX_VALUE;
            for (int i = 0; i < ROUNDS; i++) {
                long start = System.nanoTime();
                MemorySegment.copy(from, 0, to, 0, BYTES);
                best = Math.min(best, System.nanoTime() - start);
            }
            return 2.0 * BYTES / (best / 1e9);
        }
    }
}
