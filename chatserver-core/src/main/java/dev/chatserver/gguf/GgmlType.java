package dev.chatserver.gguf;

import java.util.Optional;

/**
 * Tensor element types of ggml, with the ids stored in GGUF files (llama.cpp release b4916).
 *
 * <p>Quantised types store values in blocks: {@link #blockSize()} values take {@link #bytesPerBlock()} bytes.
 * A tensor row (its first dimension) must be a whole number of blocks. Ids 4, 5, 31–33 and 36–38 belonged to
 * types that ggml has removed and are not listed.
 *
 * <p>Immutable; safe on any thread.
 */
public enum GgmlType {
    /** 32-bit IEEE float. */
    F32(0, 1, 4),
    /** 16-bit IEEE float. */
    F16(1, 1, 2),
    /** 4-bit, blocks of 32: f16 scale + 16 bytes. */
    Q4_0(2, 32, 18),
    /** 4-bit, blocks of 32: f16 scale and minimum + 16 bytes. */
    Q4_1(3, 32, 20),
    /** 5-bit, blocks of 32: f16 scale + 4 high-bit bytes + 16 bytes. */
    Q5_0(6, 32, 22),
    /** 5-bit, blocks of 32: f16 scale and minimum + 4 + 16 bytes. */
    Q5_1(7, 32, 24),
    /** 8-bit, blocks of 32: f16 scale + 32 signed bytes. */
    Q8_0(8, 32, 34),
    /** 8-bit, blocks of 32: f16 scale and sum + 32 signed bytes. */
    Q8_1(9, 32, 36),
    /** 2-bit k-quant, super-blocks of 256. */
    Q2_K(10, 256, 84),
    /** 3-bit k-quant, super-blocks of 256. */
    Q3_K(11, 256, 110),
    /** 4-bit k-quant, super-blocks of 256. */
    Q4_K(12, 256, 144),
    /** 5-bit k-quant, super-blocks of 256. */
    Q5_K(13, 256, 176),
    /** 6-bit k-quant, super-blocks of 256. */
    Q6_K(14, 256, 210),
    /** 8-bit k-quant (intermediate type), super-blocks of 256. */
    Q8_K(15, 256, 292),
    /** 2.06 bits per weight i-quant. */
    IQ2_XXS(16, 256, 66),
    /** 2.31 bits per weight i-quant. */
    IQ2_XS(17, 256, 74),
    /** 3.06 bits per weight i-quant. */
    IQ3_XXS(18, 256, 98),
    /** 1.56 bits per weight i-quant. */
    IQ1_S(19, 256, 50),
    /** 4-bit non-linear, blocks of 32. */
    IQ4_NL(20, 32, 18),
    /** 3.44 bits per weight i-quant. */
    IQ3_S(21, 256, 110),
    /** 2.5 bits per weight i-quant. */
    IQ2_S(22, 256, 82),
    /** 4.25 bits per weight i-quant. */
    IQ4_XS(23, 256, 136),
    /** 8-bit integer. */
    I8(24, 1, 1),
    /** 16-bit integer. */
    I16(25, 1, 2),
    /** 32-bit integer. */
    I32(26, 1, 4),
    /** 64-bit integer. */
    I64(27, 1, 8),
    /** 64-bit IEEE float. */
    F64(28, 1, 8),
    /** 1.75 bits per weight i-quant. */
    IQ1_M(29, 256, 56),
    /** bfloat16. */
    BF16(30, 1, 2),
    /** Ternary, 1.69 bits per weight. */
    TQ1_0(34, 256, 54),
    /** Ternary, 2.06 bits per weight. */
    TQ2_0(35, 256, 66);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /** The id ggml stores in a GGUF tensor info. */
    public int id() {
        return id;
    }

    /** Number of values in one block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes one block takes in the file. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** The type with this ggml id, or empty for an id this enum does not know. */
    public static Optional<GgmlType> byId(long id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[(int) id]) : Optional.empty();
    }

    /**
     * Bytes taken by {@code elements} values of this type.
     *
     * @throws IllegalArgumentException if {@code elements} is negative or not a whole number of blocks
     * @throws ArithmeticException if the size does not fit in a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    elements + " values of " + this + " are not a whole number of blocks of " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) bytesPerBlock);
    }
}
