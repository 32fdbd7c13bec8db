package dev.chatserver.llama;

import static dev.chatserver.llama.Llama.call;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The vocabulary of a {@link LlamaModel} ({@code const llama_vocab *}): text to tokens and tokens to bytes. Owned
 * by the model and valid while it is open; every method throws {@link IllegalStateException} afterwards.
 *
 * <p>Thread-safe: the native vocabulary is read-only, and temporary buffers are per call.
 */
public final class Vocab {

    /** {@code LLAMA_TOKEN_NULL}: the vocabulary has no such token. */
    public static final int NO_TOKEN = -1;

    private final LlamaModel model;
    private final MemorySegment handle;
    private final int size;
    private final int bos;
    private final int eos;
    private final int eot;

    Vocab(LlamaModel model, MemorySegment handle) {
        this.model = model;
        this.handle = handle;
        this.size = call(() -> (int) Llama.VOCAB_N_TOKENS.invokeExact(handle));
        this.bos = call(() -> (int) Llama.VOCAB_BOS.invokeExact(handle));
        this.eos = call(() -> (int) Llama.VOCAB_EOS.invokeExact(handle));
        this.eot = call(() -> (int) Llama.VOCAB_EOT.invokeExact(handle));
    }

    /**
     * Splits text into tokens.
     *
     * @param text         any text
     * @param addSpecial   add the model's begin-of-sequence (and end) tokens if it wants them
     * @param parseSpecial read control-token texts such as {@code <|im_start|>} as those tokens (otherwise as text)
     * @return the tokens
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        model.checkOpen();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment bytes = temp.allocate(Math.max(1, utf8.length));
            MemorySegment.copy(utf8, 0, bytes, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, utf8.length);
            // Usually a token covers several bytes; when not (byte fallback), llama.cpp says how many it needs.
            int capacity = utf8.length / 2 + 16;
            while (true) {
                MemorySegment tokens = temp.allocate(JAVA_INT, capacity);
                int cap = capacity;
                int n = call(() -> (int) GenerationCalls.TOKENIZE.invokeExact(
                        handle, bytes, utf8.length, tokens, cap, addSpecial, parseSpecial));
                if (n >= 0) return tokens.asSlice(0, (long) n * Integer.BYTES).toArray(JAVA_INT);
                if (n == Integer.MIN_VALUE) throw new LlamaException("text too long to tokenize: " + utf8.length + " bytes");
                capacity = -n;
            }
        }
    }

    /**
     * The bytes a token stands for. Control tokens give no bytes. A piece may end inside a multi-byte UTF-8
     * character (byte-level vocabularies); join pieces before decoding text.
     *
     * @param token a token id in [0, {@link #size()})
     * @return its bytes
     */
    public byte[] piece(int token) {
        return piece(token, false);
    }

    /**
     * The bytes a token stands for.
     *
     * @param token   a token id in [0, {@link #size()})
     * @param special write control tokens out (e.g. {@code <|im_end|>}) instead of giving no bytes
     * @return its bytes
     */
    public byte[] piece(int token, boolean special) {
        model.checkOpen();
        checkToken(token);
        byte[] buf = new byte[32];
        while (true) {
            int n;
            try {
                // A critical call may write straight into the Java array: no native buffer per token.
                n = (int) GenerationCalls.TOKEN_TO_PIECE.invokeExact(handle, token, MemorySegment.ofArray(buf), buf.length, 0, special);
            } catch (Throwable t) {
                throw Llama.rethrow(t);
            }
            if (n >= 0) return n == buf.length ? buf : Arrays.copyOf(buf, n);
            buf = new byte[-n];
        }
    }

    /**
     * Joins the pieces of tokens and decodes them as UTF-8 (malformed sequences become U+FFFD).
     *
     * @param tokens token ids
     * @return the text
     */
    public String detokenize(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int token : tokens) out.writeBytes(piece(token));
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param token a token id
     * @return true when generating it ends the answer (end of sequence, end of turn, ...)
     */
    public boolean isEndOfGeneration(int token) {
        model.checkOpen();
        try {
            return (boolean) GenerationCalls.VOCAB_IS_EOG.invokeExact(handle, token);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /** @return the number of tokens */
    public int size() {
        model.checkOpen();
        return size;
    }

    /** @return the begin-of-sequence token, or {@link #NO_TOKEN} */
    public int bos() {
        model.checkOpen();
        return bos;
    }

    /** @return the end-of-sequence token, or {@link #NO_TOKEN} */
    public int eos() {
        model.checkOpen();
        return eos;
    }

    /** @return the end-of-turn token, or {@link #NO_TOKEN} */
    public int eot() {
        model.checkOpen();
        return eot;
    }

    /** An id outside the vocabulary would make llama.cpp throw a C++ exception through C and end the process. */
    private void checkToken(int token) {
        if (token < 0 || token >= size) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + size + ")");
        }
    }
}
