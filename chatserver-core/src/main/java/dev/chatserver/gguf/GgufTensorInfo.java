package dev.chatserver.gguf;

import java.util.List;
import java.util.Objects;

/**
 * Where one tensor lies in a GGUF file and what it holds.
 *
 * @param name   tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param shape  dimensions in ggml order: {@code shape.get(0)} is the row length (the fastest-varying index)
 * @param type   element type
 * @param offset byte offset of the tensor's data from the start of the data section (a multiple of the alignment)
 */
public record GgufTensorInfo(String name, List<Long> shape, GgmlType type, long offset) {

    /** Copies the shape and checks it. */
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = List.copyOf(shape);
        if (shape.isEmpty() || shape.size() > 4) {
            throw new IllegalArgumentException("tensor " + name + " has " + shape.size() + " dimensions (1 to 4 allowed)");
        }
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("tensor " + name + " has a negative dimension " + shape);
            }
        }
        if (offset < 0) {
            throw new IllegalArgumentException("tensor " + name + " has a negative offset " + offset);
        }
    }

    /** Number of values: the product of the shape. @throws ArithmeticException on overflow */
    public long elementCount() {
        long count = 1;
        for (long dimension : shape) {
            count = Math.multiplyExact(count, dimension);
        }
        return count;
    }

    /** Bytes the tensor's data takes (without alignment padding). */
    public long byteSize() {
        return type.byteSize(elementCount());
    }
}
