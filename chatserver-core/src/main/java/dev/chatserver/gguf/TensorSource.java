package dev.chatserver.gguf;

import java.util.List;
import java.util.Objects;

/**
 * A tensor to be written by {@link GgufWriter}: its directory entry and a source of its bytes.
 *
 * @param name  tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param shape dimensions in ggml order ({@code shape.get(0)} is the row length)
 * @param type  element type
 * @param data  writes exactly {@link #byteSize()} bytes of tensor data when asked
 */
public record TensorSource(String name, List<Long> shape, GgmlType type, TensorData data) {

    /** Copies the shape and checks that rows are whole blocks. */
    public TensorSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        shape = List.copyOf(shape);
        new GgufTensorInfo(name, shape, type, 0); // validates the shape
        if (shape.getFirst() % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": rows of " + shape.getFirst()
                    + " values are not whole " + type + " blocks of " + type.blockSize());
        }
    }

    /** Number of values: the product of the shape. */
    public long elementCount() {
        return new GgufTensorInfo(name, shape, type, 0).elementCount();
    }

    /** Bytes of tensor data. */
    public long byteSize() {
        return new GgufTensorInfo(name, shape, type, 0).byteSize();
    }
}
