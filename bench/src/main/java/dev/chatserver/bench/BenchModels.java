package dev.chatserver.bench;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The synthetic models the benchmarks run on, by name, written on first use into a cache folder
 * ({@code bench/target/models} by default; never committed). Stateless; any thread.
 */
final class BenchModels {

    /** {@link SyntheticModel#tiny()}: 800 tokens, 2 layers; per-token overhead outside the model dominates. */
    static final String TINY = "tiny";

    /** A small Q8_0 model (8192 tokens, embedding 512, 8 layers): real matrix work that fits the quick run. */
    static final String SMALL = "small";

    /** {@link SyntheticModel#qwen25_1_5bShape()}: the shape of Qwen2.5-1.5B-Instruct in Q8_0, about 1.9 GB. */
    static final String QWEN25_1_5B_SHAPE = "qwen2.5-1.5b-shape";

    /**
     * {@link SyntheticModel#qwen25_1_5bShapeQ4K()}: the same shape with all matrices in Q4_K (norms F32), the nearest
     * to Q4_K_M the writer makes, about 1.0 GB: the k-quant kernels most served models run on.
     */
    static final String QWEN25_1_5B_SHAPE_Q4K = "qwen2.5-1.5b-shape-q4_k";

    /** System property naming the cache folder in forked benchmark JVMs. */
    static final String DIR_PROPERTY = "bench.models";

    private BenchModels() {
    }

    /** The model's shape. @throws IllegalArgumentException for an unknown name */
    static SyntheticModel shape(String name) {
        return switch (name) {
            case TINY -> SyntheticModel.tiny();
            case SMALL -> SyntheticModel.builder().vocab(8192).embd(512).layers(8).heads(8).kvHeads(2)
                    .feedForward(1536).context(4096).type(GgmlType.Q8_0).name("synthetic-small").build();
            case QWEN25_1_5B_SHAPE -> SyntheticModel.qwen25_1_5bShape();
            case QWEN25_1_5B_SHAPE_Q4K -> SyntheticModel.qwen25_1_5bShapeQ4K();
            default -> throw new IllegalArgumentException("unknown benchmark model '" + name + "'; known: "
                    + TINY + ", " + SMALL + ", " + QWEN25_1_5B_SHAPE + ", " + QWEN25_1_5B_SHAPE_Q4K);
        };
    }

    /** @return whether the model has the Qwen2.5-1.5B shape (in any weight type): a step takes long there */
    static boolean isQwen25_1_5bShape(String name) {
        return name.equals(QWEN25_1_5B_SHAPE) || name.equals(QWEN25_1_5B_SHAPE_Q4K);
    }

    /** The model's file in {@code dir}, written first if it is not there yet. */
    static Path path(String name, Path dir) {
        if (isFile(name)) return Path.of(name);
        try {
            return shape(name).cachedIn(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic model " + name + " into " + dir, e);
        }
    }

    /** @return whether the name is a GGUF file of its own (e.g. a real model given with {@code --model}) */
    static boolean isFile(String name) {
        return name.endsWith(".gguf");
    }

    /** @return the name for tables and charts: a file's name without its folder */
    static String label(String name) {
        return isFile(name) ? Path.of(name).getFileName().toString().replaceFirst("\\.gguf$", "") : name;
    }

    /** The model's file in the folder of {@value #DIR_PROPERTY} (default {@code bench/target/models}). */
    static Path resolve(String name) {
        return path(name, Path.of(System.getProperty(DIR_PROPERTY, "bench/target/models")));
    }
}
