package dev.chatserver.llama;

import static dev.chatserver.llama.Llama.call;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A reusable batch of tokens for {@link LlamaContext#decode(Batch)} ({@code struct llama_batch} from
 * {@code llama_batch_init}). Each entry is a token, its position in its sequence(s), the sequence id(s), and whether
 * its logits are wanted (so it can be sampled). {@link #add} writes straight into the native arrays: nothing is
 * allocated per token.
 *
 * <p>Not thread-safe: one thread (the engine thread) fills, decodes and clears it. Created on any thread.
 */
public final class Batch implements AutoCloseable {

    private static final long N_TOKENS = Llama.offset(Llama.BATCH, "n_tokens");

    private final Arena arena;
    /** The 56-byte struct passed by value to llama_decode; n_tokens is written just before. */
    private final MemorySegment struct;
    private final MemorySegment tokens;    // int32[capacity]
    private final MemorySegment positions; // int32[capacity]
    private final MemorySegment seqCounts; // int32[capacity]
    private final MemorySegment[] seqIds;  // capacity rows of int32[maxSeqPerToken]
    private final MemorySegment logits;    // int8[capacity]
    private final int capacity;
    private final int maxSeqPerToken;
    private int size;
    /** Largest token and sequence id since the last clear, checked by decode before llama.cpp sees them. */
    private int maxToken;
    private int maxSeq;
    private boolean closed;

    private Batch(int capacity, int maxSeqPerToken) {
        NativeLibrary.ensureLoaded();
        this.capacity = capacity;
        this.maxSeqPerToken = maxSeqPerToken;
        this.arena = Arena.ofShared();
        this.struct = call(() -> (MemorySegment) Llama.BATCH_INIT.invokeExact((SegmentAllocator) arena,
                capacity, 0, maxSeqPerToken));
        this.tokens = array(Llama.offset(Llama.BATCH, "token"), capacity * 4L);
        this.positions = array(Llama.offset(Llama.BATCH, "pos"), capacity * 4L);
        this.seqCounts = array(Llama.offset(Llama.BATCH, "n_seq_id"), capacity * 4L);
        this.logits = array(Llama.offset(Llama.BATCH, "logits"), capacity);
        MemorySegment rows = array(Llama.offset(Llama.BATCH, "seq_id"), capacity * ADDRESS.byteSize());
        this.seqIds = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            seqIds[i] = rows.getAtIndex(ADDRESS, i).reinterpret(maxSeqPerToken * 4L, arena, null);
        }
        clear();
    }

    /**
     * @param capacity       most tokens the batch holds (at most the context's batch size to be decodable)
     * @param maxSeqPerToken most sequences one token may belong to (1 unless tokens are shared between sequences)
     * @return an empty batch; close it
     */
    public static Batch create(int capacity, int maxSeqPerToken) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        if (maxSeqPerToken <= 0) {
            throw new IllegalArgumentException("sequences per token must be positive, was " + maxSeqPerToken);
        }
        return new Batch(capacity, maxSeqPerToken);
    }

    private MemorySegment array(long field, long bytes) {
        MemorySegment address = struct.get(ADDRESS, field);
        if (address.equals(MemorySegment.NULL)) throw new LlamaException("llama_batch_init could not allocate " + capacity + " tokens");
        return address.reinterpret(bytes, arena, null);
    }

    /**
     * Appends a token of one sequence.
     *
     * @param token    token id
     * @param pos      its position in the sequence, from 0
     * @param seq      sequence id, from 0
     * @param logits   compute its logits, so that it can be sampled at the returned index
     * @return the token's index in the batch
     * @throws IllegalStateException when the batch is full or closed
     */
    public int add(int token, int pos, int seq, boolean logits) {
        int i = reserve(token, pos, seq);
        seqCounts.setAtIndex(JAVA_INT, i, 1);
        seqIds[i].set(JAVA_INT, 0, seq);
        this.logits.set(JAVA_BYTE, i, logits ? (byte) 1 : 0);
        return i;
    }

    /**
     * Appends a token shared by several sequences (e.g. a common system prompt).
     *
     * @param token  token id
     * @param pos    its position in each of the sequences
     * @param seqs   sequence ids, at most {@code maxSeqPerToken}
     * @param logits compute its logits
     * @return the token's index in the batch
     */
    public int add(int token, int pos, int[] seqs, boolean logits) {
        if (seqs.length == 0 || seqs.length > maxSeqPerToken) {
            throw new IllegalArgumentException("1 to " + maxSeqPerToken + " sequences per token, got " + seqs.length);
        }
        int max = -1;
        for (int s : seqs) {
            if (s < 0) throw new IllegalArgumentException("negative sequence id " + s);
            max = Math.max(max, s);
        }
        int i = reserve(token, pos, max);
        seqCounts.setAtIndex(JAVA_INT, i, seqs.length);
        MemorySegment.copy(seqs, 0, seqIds[i], JAVA_INT, 0, seqs.length);
        this.logits.set(JAVA_BYTE, i, logits ? (byte) 1 : 0);
        return i;
    }

    private int reserve(int token, int pos, int seq) {
        checkOpen();
        if (size == capacity) throw new IllegalStateException("Batch is full (" + capacity + " tokens)");
        if (token < 0) throw new IllegalArgumentException("negative token id " + token);
        if (pos < 0) throw new IllegalArgumentException("negative position " + pos);
        if (seq < 0) throw new IllegalArgumentException("negative sequence id " + seq);
        int i = size++;
        tokens.setAtIndex(JAVA_INT, i, token);
        positions.setAtIndex(JAVA_INT, i, pos);
        maxToken = Math.max(maxToken, token);
        maxSeq = Math.max(maxSeq, seq);
        return i;
    }

    /** Empties the batch for reuse. */
    public void clear() {
        checkOpen();
        size = 0;
        maxToken = -1;
        maxSeq = -1;
    }

    /** @return tokens in the batch */
    public int size() {
        return size;
    }

    /** @return most tokens the batch holds */
    public int capacity() {
        return capacity;
    }

    /** @return most sequences one token may belong to */
    public int maxSeqPerToken() {
        return maxSeqPerToken;
    }

    /**
     * @param index an index returned by {@code add}
     * @return whether that entry's logits are computed
     */
    public boolean wantsLogits(int index) {
        checkOpen();
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException(index);
        return logits.get(JAVA_BYTE, index) != 0;
    }

    int maxToken() {
        return maxToken;
    }

    int maxSeq() {
        return maxSeq;
    }

    /** The logits flags of the current entries, for the context to remember what may be sampled. */
    MemorySegment logitsFlags() {
        return logits;
    }

    /** @return the struct to pass by value, with n_tokens set to the current size */
    MemorySegment struct() {
        checkOpen();
        struct.set(JAVA_INT, N_TOKENS, size);
        return struct;
    }

    /** Frees the native arrays. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            Llama.BATCH_FREE.invokeExact(struct);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        } finally {
            arena.close();
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("Batch is closed");
    }

    @Override
    public String toString() {
        return "Batch[" + size + "/" + capacity + (closed ? ", closed]" : "]");
    }
}
