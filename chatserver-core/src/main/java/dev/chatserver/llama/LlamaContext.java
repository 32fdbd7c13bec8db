package dev.chatserver.llama;

import static dev.chatserver.llama.Llama.call;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;

/**
 * A llama.cpp context ({@code llama_context *}): the KV cache of up to {@link #sequences()} sequences and the
 * compute buffers to decode batches of tokens. Created by {@link LlamaModel#newContext(ContextParams)}.
 *
 * <p>Confined by contract to one thread, the engine thread: it decodes, edits the KV cache, samples and closes.
 * There is no locking; the only other thread that may close it is the one closing its model.
 */
public final class LlamaContext implements AutoCloseable {

    private static final long N_CTX = Llama.offset(Llama.CONTEXT_PARAMS, "n_ctx");
    private static final long N_BATCH = Llama.offset(Llama.CONTEXT_PARAMS, "n_batch");
    private static final long N_UBATCH = Llama.offset(Llama.CONTEXT_PARAMS, "n_ubatch");
    private static final long N_SEQ_MAX = Llama.offset(Llama.CONTEXT_PARAMS, "n_seq_max");
    private static final long N_THREADS = Llama.offset(Llama.CONTEXT_PARAMS, "n_threads");
    private static final long N_THREADS_BATCH = Llama.offset(Llama.CONTEXT_PARAMS, "n_threads_batch");
    private static final long FLASH_ATTN_TYPE = Llama.offset(Llama.CONTEXT_PARAMS, "flash_attn_type");
    private static final long KV_UNIFIED = Llama.offset(Llama.CONTEXT_PARAMS, "kv_unified");

    private final LlamaModel model;
    private final Arena arena;
    private final MemorySegment handle;
    /** The context's {@code llama_memory_t}: the KV cache, which the {@code llama_memory_*} functions edit. */
    private final MemorySegment memory;
    private final int contextTokens;
    private final int batchTokens;
    private final int sequences;
    private final int threads;
    private final int vocabSize;
    /** Logits flags of the last decoded batch: what {@link Sampler#sample} may ask for. */
    private final byte[] outputs;
    private int outputCount;
    private volatile boolean closed;

    private LlamaContext(LlamaModel model, MemorySegment rawHandle, int batchTokens) {
        this.model = model;
        this.arena = Arena.ofShared();
        this.handle = rawHandle.reinterpret(arena, Llama.freeing(Llama.FREE));
        try {
            this.contextTokens = call(() -> (int) Llama.N_CTX.invokeExact(handle));
            this.sequences = call(() -> (int) Llama.N_SEQ_MAX.invokeExact(handle));
            this.threads = call(() -> (int) Llama.N_THREADS.invokeExact(handle));
            this.memory = call(() -> (MemorySegment) Llama.GET_MEMORY.invokeExact(handle));
            this.vocabSize = model.vocab().size();
        } catch (RuntimeException | Error e) {
            arena.close(); // frees the context
            throw e;
        }
        this.batchTokens = batchTokens;
        this.outputs = new byte[batchTokens];
    }

    static LlamaContext create(LlamaModel model, ContextParams params) {
        Objects.requireNonNull(params, "params");
        try (Arena temp = Arena.ofConfined(); NativeLog.Capture log = NativeLog.capture()) {
            MemorySegment p = (MemorySegment) Llama.CONTEXT_DEFAULT_PARAMS.invokeExact((SegmentAllocator) temp);
            p.set(JAVA_INT, N_CTX, params.contextTokens());
            p.set(JAVA_INT, N_BATCH, params.batchTokens());
            p.set(JAVA_INT, N_UBATCH, params.microBatchTokens());
            p.set(JAVA_INT, N_SEQ_MAX, params.sequences());
            p.set(JAVA_INT, N_THREADS, params.threads());
            p.set(JAVA_INT, N_THREADS_BATCH, params.threadsBatch());
            p.set(JAVA_INT, FLASH_ATTN_TYPE,
                    params.flashAttention() ? Llama.FLASH_ATTN_ENABLED : Llama.FLASH_ATTN_DISABLED);
            p.set(JAVA_BOOLEAN, KV_UNIFIED, params.unifiedKv());
            MemorySegment ctx = (MemorySegment) Llama.INIT_FROM_MODEL.invokeExact(model.handle(), p);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new LlamaException("cannot create a context of " + params.contextTokens() + " tokens for "
                        + model.file().getFileName() + ": " + LlamaModel.reason(log.lines()));
            }
            int batch = call(() -> (int) Llama.N_BATCH.invokeExact(ctx));
            return new LlamaContext(model, ctx, batch);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /** @return the model this context decodes with */
    public LlamaModel model() {
        return model;
    }

    /** @return KV cache cells of all sequences together ({@code llama_n_ctx}) */
    public int contextTokens() {
        checkOpen();
        return contextTokens;
    }

    /** @return most tokens one {@link #decode(Batch)} may carry ({@code llama_n_batch}) */
    public int batchTokens() {
        checkOpen();
        return batchTokens;
    }

    /** @return number of sequence ids, 0 .. sequences-1 ({@code llama_n_seq_max}) */
    public int sequences() {
        checkOpen();
        return sequences;
    }

    /** @return decode threads for single tokens ({@code llama_n_threads}) */
    public int threads() {
        checkOpen();
        return threads;
    }

    /**
     * Decodes a batch: stores its tokens in the KV cache and computes the logits of the flagged ones.
     *
     * @param batch 1 to {@link #batchTokens()} tokens with token ids in the vocabulary and sequence ids below
     *              {@link #sequences()} (checked here, since llama.cpp would abort the process on some of these)
     * @return {@link DecodeResult#OK}, or the recoverable {@link DecodeResult#NO_KV_SLOT} / {@link DecodeResult#ABORTED}
     * @throws LlamaException when llama.cpp reports an error
     */
    public DecodeResult decode(Batch batch) {
        checkOpen();
        int n = batch.size();
        if (n == 0) throw new IllegalArgumentException("cannot decode an empty batch");
        if (n > batchTokens) {
            throw new IllegalArgumentException("batch of " + n + " tokens exceeds the context's batch size " + batchTokens);
        }
        if (batch.maxSeq() >= sequences) {
            throw new IllegalArgumentException("sequence id " + batch.maxSeq() + " is not below " + sequences);
        }
        if (batch.maxToken() >= vocabSize) {
            throw new IllegalArgumentException("token " + batch.maxToken() + " is outside the vocabulary of " + vocabSize);
        }
        outputCount = 0;
        if (usedCells() + n > contextTokens) return DecodeResult.NO_KV_SLOT; // each batch entry takes one cell
        int rc;
        try {
            rc = (int) GenerationCalls.DECODE.invokeExact(handle, batch.struct());
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
        return switch (rc) {
            case 0 -> {
                MemorySegment.copy(batch.logitsFlags(), JAVA_BYTE, 0, outputs, 0, n);
                outputCount = n;
                yield DecodeResult.OK;
            }
            // "failed to find a memory slot": the cache is left as it was.
            case 1 -> DecodeResult.NO_KV_SLOT;
            case 2 -> DecodeResult.ABORTED;
            default -> throw new LlamaException("llama_decode failed with code " + rc + " for a batch of " + n + " tokens");
        };
    }

    /**
     * Removes a sequence's tokens at positions [p0, p1) from the KV cache.
     *
     * @param seq sequence id, or -1 for all sequences
     * @param p0  first position, or -1 for 0
     * @param p1  end position (exclusive), or -1 for no end
     * @return false when llama.cpp could not remove part of a sequence (recurrent models only)
     */
    public boolean removeTokens(int seq, int p0, int p1) {
        checkOpen();
        checkSeq(seq, true);
        try {
            return (boolean) GenerationCalls.MEMORY_SEQ_RM.invokeExact(memory, seq, p0, p1);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /**
     * Adds {@code delta} to the positions of a sequence's tokens in [p0, p1) (context shifting).
     *
     * @param seq   sequence id
     * @param p0    first position, or -1 for 0
     * @param p1    end position (exclusive), or -1 for no end
     * @param delta positions to add (negative to move tokens back)
     */
    public void shiftTokens(int seq, int p0, int p1, int delta) {
        checkOpen();
        checkSeq(seq, false);
        try {
            GenerationCalls.MEMORY_SEQ_ADD.invokeExact(memory, seq, p0, p1, delta);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /**
     * Removes all of a sequence's tokens from the KV cache.
     *
     * @param seq sequence id
     */
    public void clearSequence(int seq) {
        checkSeq(seq, false);
        removeTokens(seq, -1, -1);
    }

    /** Empties the whole KV cache. */
    public void clear() {
        checkOpen();
        try {
            GenerationCalls.MEMORY_CLEAR.invokeExact(memory, true);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
        outputCount = 0;
    }

    /**
     * @return KV cells holding a token: the sum of every sequence's position span (llama.cpp has no count of its
     *         own since the memory API), so a cell shared by several sequences counts once for each; the engine
     *         never shares cells
     */
    public int usedCells() {
        checkOpen();
        int used = 0;
        try {
            for (int seq = 0; seq < sequences; seq++) {
                int max = (int) GenerationCalls.MEMORY_SEQ_POS_MAX.invokeExact(memory, seq);
                if (max < 0) continue;
                int min = (int) GenerationCalls.MEMORY_SEQ_POS_MIN.invokeExact(memory, seq);
                used += max - min + 1;
            }
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
        return used;
    }

    /**
     * @param seq sequence id
     * @return the largest position of the sequence in the KV cache, or -1 when it is empty
     */
    public int maxPosition(int seq) {
        checkOpen();
        checkSeq(seq, false);
        try {
            return (int) GenerationCalls.MEMORY_SEQ_POS_MAX.invokeExact(memory, seq);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /**
     * The raw scores the last decode computed for one token, e.g. to compare results bit for bit.
     *
     * @param batchIndex index (from {@link Batch#add}) of a token whose logits were requested
     * @return one score per vocabulary entry
     */
    public float[] logits(int batchIndex) {
        MemorySegment ctx = handleForSampling(batchIndex);
        try {
            MemorySegment scores = (MemorySegment) GenerationCalls.GET_LOGITS_ITH.invokeExact(ctx, batchIndex);
            return scores.reinterpret((long) vocabSize * Float.BYTES).toArray(JAVA_FLOAT);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /**
     * Copies a sequence's cached state out of the KV cache: its cells' positions and their keys and values, in cell
     * order. With {@link #restoreSequence} this moves a sequence to other cells without decoding it again.
     *
     * @param seq   sequence id
     * @param arena where the copy lives
     * @return the state, empty when the sequence has no cells
     */
    public MemorySegment saveSequence(int seq, Arena arena) {
        checkOpen();
        checkSeq(seq, false);
        try {
            long size = (long) GenerationCalls.STATE_SEQ_GET_SIZE.invokeExact(handle, seq);
            MemorySegment state = arena.allocate(Math.max(1, size));
            long written = (long) GenerationCalls.STATE_SEQ_GET_DATA.invokeExact(handle, state, size, seq);
            if (written != size) {
                throw new LlamaException("saving sequence " + seq + " wrote " + written + " of " + size + " bytes");
            }
            return state.asSlice(0, written);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /**
     * Puts a state saved by {@link #saveSequence} back into the cache, replacing what the sequence holds; its cells
     * are placed contiguously, in their saved order, in the first free run of cells.
     *
     * @param seq   sequence id
     * @param state the saved state
     * @throws LlamaException if the cache has no contiguous room for it
     */
    public void restoreSequence(int seq, MemorySegment state) {
        checkOpen();
        checkSeq(seq, false);
        long read;
        try {
            read = (long) GenerationCalls.STATE_SEQ_SET_DATA.invokeExact(handle, state, state.byteSize(), seq);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
        if (read == 0) throw new LlamaException("cannot restore sequence " + seq + ": no contiguous room in the KV cache");
    }

    /** Frees the KV cache and compute buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        arena.close();
        model.contextClosed(this);
    }

    @Override
    public String toString() {
        return "LlamaContext[" + contextTokens + " tokens, " + sequences + " sequences" + (closed ? ", closed]" : "]");
    }

    /** @return the native handle for a sampler, after checking that {@code index} has logits from the last decode */
    MemorySegment handleForSampling(int index) {
        checkOpen();
        if (index < 0 || index >= outputCount || outputs[index] == 0) {
            throw new IllegalArgumentException("batch index " + index + " has no logits from the last successful decode");
        }
        return handle;
    }

    private void checkSeq(int seq, boolean allowAll) {
        if (seq >= sequences || seq < (allowAll ? -1 : 0)) {
            throw new IllegalArgumentException("sequence id " + seq + " is outside [0, " + sequences + ")");
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("LlamaContext is closed");
    }

}
