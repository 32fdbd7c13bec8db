package dev.chatserver.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This machine's arithmetic rate, for the benchmarks' compute bound: {@code threads} platform threads (the decode
 * threads of the benchmarks) each run single-precision fused multiply-adds over a 4 KiB array that stays in the
 * first-level cache, sixteen dependent ones per element and independent ones across elements, a loop the JIT turns
 * into vector FMA instructions (AVX2: eight lanes). The result is the best of several rounds of all threads at once,
 * two floating-point operations per multiply-add. It is the rate of float arithmetic with its operands in registers
 * and the first-level cache, which a matrix kernel streaming weights from memory does not exceed. llama.cpp's
 * quantized kernels multiply 8-bit integers instead (then scale the sums in float); on AVX2 one such instruction
 * does twice the multiply-adds of a float FMA, but widening and scaling cost further instructions per block, so for
 * them the bound is near, not strict. Runs on the calling thread and the threads it starts.
 */
final class ComputeThroughput {

    private static final int ELEMENTS = 1024;
    private static final int CHAIN = 16;
    /** About 20 ms per round at 60 GFLOP/s per thread; the first rounds also compile the kernel. */
    private static final int PASSES = 40_000;
    private static final int ROUNDS = 10;

    private ComputeThroughput() {
    }

    /** @return floating-point operations per second of {@code threads} threads together, best round */
    static double measure(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be positive: " + threads);
        double best = 0;
        for (int round = 0; round < ROUNDS; round++) best = Math.max(best, round(threads));
        return best;
    }

    /** One round: every thread runs the kernel once, all started together; operations over the wall time. */
    private static double round(int threads) {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        float[] sink = new float[threads];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            workers.add(Thread.ofPlatform().name("fma-" + t).start(() -> {
                float[] values = new float[ELEMENTS];
                Arrays.fill(values, 0.5f + index);
                try {
                    start.await();
                    sink[index] = kernel(values, PASSES);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        long began;
        try {
            start.await();
            began = System.nanoTime();
            for (Thread worker : workers) worker.join();
        } catch (Exception e) {
            workers.forEach(Thread::interrupt);
            throw new IllegalStateException("the compute measurement was interrupted", e);
        }
        long elapsed = System.nanoTime() - began;
        if (failure.get() != null) throw new IllegalStateException("the compute measurement failed", failure.get());
        if (Float.isNaN(sink[0])) throw new IllegalStateException("the compute kernel produced NaN");
        return 2.0 * CHAIN * ELEMENTS * (double) PASSES * threads / (elapsed / 1e9);
    }

    /** {@code passes} × {@value #CHAIN} multiply-adds on every element; x → 0.999x + 0.001 stays near 1. */
    static float kernel(float[] values, int passes) {
        final float a = 0.999f;
        final float b = 0.001f;
        for (int p = 0; p < passes; p++) {
            for (int i = 0; i < values.length; i++) {
                float x = values[i];
                x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b);
                x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b);
                x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b);
                x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b); x = Math.fma(x, a, b);
                values[i] = x;
            }
        }
        return values[0];
    }
}
