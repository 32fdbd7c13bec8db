package dev.chatserver.gguf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The shape of a synthetic model of the llama or the qwen3 architecture, which {@link #write(Path)} turns into a
 * GGUF file that llama.cpp loads: a SentencePiece-style vocabulary (see {@code SyntheticVocabulary}), a ChatML chat template
 * and seeded pseudo-random weights. Same shape and seed give a byte-identical file.
 *
 * <p>The weights are scaled so that greedy generation depends on the prompt and rarely picks control, byte or
 * end-of-generation tokens, which keeps generated text printable and long enough for tests.
 *
 * <p>Weight types: F32, F16, Q8_0 and Q4_K. Norms are always F32 and every matrix has the weight type, also the
 * token embedding and the output matrix. So the Q4_K model is "all matrices Q4_K, norms F32": the nearest to a
 * real Q4_K_M file that this writer makes (those keep some matrices, e.g. the output or token embedding, in Q6_K);
 * its {@code general.file_type} is Q4_K_M's (15), the type llama.cpp also names a file whose tensors are mostly
 * Q4_K. Every matrix row is {@code embd} or {@code feedForward} values long, so a quantised type needs both to be
 * whole blocks of it (32 values for Q8_0, 256 for Q4_K's super-blocks); a shape that is not is refused, naming
 * the sizes, rather than writing some matrices in another type.
 *
 * <p>Immutable; {@link #write} and {@link #cachedIn} run on the caller's thread. {@link #cachedIn} may be called
 * concurrently for the same folder, also from several JVMs; {@link #write} only for different files.
 *
 * @param vocab       vocabulary size (at least {@code SyntheticVocabulary.minimumSize()}, about 370)
 * @param embd        embedding size (divisible by {@code heads}; a multiple of 32 for Q8_0, of 256 for Q4_K)
 * @param layers      number of transformer blocks
 * @param heads       attention heads (the head size {@code embd / heads} must be even for RoPE)
 * @param kvHeads     key/value heads (divides {@code heads})
 * @param feedForward feed-forward size (a multiple of 32 for Q8_0, of 256 for Q4_K)
 * @param context     training context length in tokens
 * @param type        type of the weight matrices: F32, F16, Q8_0 or Q4_K (norms are always F32)
 * @param seed        seed of the weights
 * @param name        {@code general.name}
 * @param architecture {@code general.architecture}: {@code llama}, or {@code qwen3} (the llama blocks plus an RMS
 *                    norm of every query and key head, {@code attn_q_norm} / {@code attn_k_norm}, as Qwen3 has)
 */
public record SyntheticModel(int vocab, int embd, int layers, int heads, int kvHeads, int feedForward,
                             int context, GgmlType type, long seed, String name, String architecture) {

    /** The architectures {@link #write} can produce. */
    public static final List<String> ARCHITECTURES = List.of("llama", "qwen3");

    /** Bump when the generated file changes for the same shape, so that cached files are rewritten. */
    private static final String FORMAT_VERSION = "2";
    private static final Set<GgmlType> TYPES = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K);
    /** Held by {@link #cachedIn} inside this JVM (a FileLock only excludes other processes). */
    private static final Object CACHE_LOCK = new Object();

    /** Checks the shape. @throws IllegalArgumentException naming the first inconsistency */
    public SyntheticModel {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        require(ARCHITECTURES.contains(architecture),
                "architecture must be one of " + String.join(", ", ARCHITECTURES) + ", not " + architecture);
        require(vocab >= SyntheticVocabulary.minimumSize(), "vocab must be at least " + SyntheticVocabulary.minimumSize());
        require(embd > 0 && layers > 0 && heads > 0 && kvHeads > 0 && feedForward > 0 && context > 0,
                "sizes must be positive");
        require(TYPES.contains(type), "type must be F32, F16, Q8_0 or Q4_K, not " + type);
        require(embd % heads == 0, "embd " + embd + " is not divisible by heads " + heads);
        require((embd / heads) % 2 == 0, "head size " + embd / heads + " must be even");
        require(heads % kvHeads == 0, "heads " + heads + " is not divisible by kvHeads " + kvHeads);
        require(embd % type.blockSize() == 0 && feedForward % type.blockSize() == 0,
                type + " needs embd and feedForward to be multiples of " + type.blockSize() + ", not embd "
                        + embd + " and feedForward " + feedForward);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * The always-available test model: 800 tokens, embedding 64, 2 layers, 4 heads, 2 KV heads, feed-forward
     * 192, F32, training context 32768. About 0.8 MB; loads and decodes in milliseconds.
     */
    public static SyntheticModel tiny() {
        return builder().build();
    }

    /**
     * A model with the shape of Qwen2.5-1.5B-Instruct (vocabulary 151936, embedding 1536, 28 layers, 12 heads,
     * 2 KV heads, feed-forward 8960, context 32768) in Q8_0, with an untied output matrix: about 1.9 GB, for
     * throughput measurements.
     */
    public static SyntheticModel qwen25_1_5bShape() {
        return builder().vocab(151_936).embd(1536).layers(28).heads(12).kvHeads(2).feedForward(8960)
                .context(32_768).type(GgmlType.Q8_0).name("synthetic-qwen2.5-1.5b-shape").build();
    }

    /**
     * {@link #qwen25_1_5bShape()} with all matrices in Q4_K (norms F32), the nearest to Q4_K_M this writer makes:
     * about 1.0 GB, for throughput measurements of the k-quant kernels.
     */
    public static SyntheticModel qwen25_1_5bShapeQ4K() {
        return qwen25_1_5bShape().toBuilder().type(GgmlType.Q4_K).name("synthetic-qwen2.5-1.5b-shape-q4_k").build();
    }

    /** A builder starting from the {@link #tiny()} shape. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this shape. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Sum of the elements of all tensors. */
    public long parameterCount() {
        return tensors().stream().mapToLong(TensorSource::elementCount).sum();
    }

    /** Writes the model to {@code file} (atomically, replacing it). */
    public void write(Path file) throws IOException {
        GgufWriter.write(file, metadata(), tensors());
    }

    /**
     * The file {@code dir/synthetic-<hash of this record>.gguf}, written first if absent. Concurrent callers, in
     * this JVM or others, wait for one writer rather than writing twice: they take a file lock on
     * {@code synthetic-<hash>.gguf.lock} in the same folder (left there afterwards), and the file appears only
     * when complete.
     */
    public Path cachedIn(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("synthetic-" + hash() + ".gguf");
        if (Files.isRegularFile(file)) {
            return file;
        }
        synchronized (CACHE_LOCK) {
            try (FileChannel lockChannel = FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (!Files.isRegularFile(file)) {
                    write(file);
                }
            }
        }
        return file;
    }

    /** First 16 hex digits of the SHA-256 of this shape and the generator's format version. */
    public String hash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((FORMAT_VERSION + "|" + this).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The metadata written to the file, in file order. */
    public Map<String, GgufValue> metadata() {
        SyntheticVocabulary vocabulary = SyntheticVocabulary.of(vocab);
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        String arch = architecture;
        metadata.put("general.architecture", GgufValue.of(arch));
        metadata.put("general.name", GgufValue.of(name));
        metadata.put("general.alignment", GgufValue.uint32(GgufFile.DEFAULT_ALIGNMENT));
        metadata.put("general.file_type", GgufValue.uint32(switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8_0 -> 7; // LLAMA_FTYPE_MOSTLY_Q8_0
            case Q4_K -> 15; // LLAMA_FTYPE_MOSTLY_Q4_K_M, the nearest to all matrices Q4_K
            default -> throw new IllegalStateException("no file type for " + type);
        }));
        metadata.put(arch + ".vocab_size", GgufValue.uint32(vocab));
        metadata.put(arch + ".context_length", GgufValue.uint32(context));
        metadata.put(arch + ".embedding_length", GgufValue.uint32(embd));
        metadata.put(arch + ".block_count", GgufValue.uint32(layers));
        metadata.put(arch + ".feed_forward_length", GgufValue.uint32(feedForward));
        metadata.put(arch + ".attention.head_count", GgufValue.uint32(heads));
        metadata.put(arch + ".attention.head_count_kv", GgufValue.uint32(kvHeads));
        metadata.put(arch + ".rope.dimension_count", GgufValue.uint32(embd / heads));
        metadata.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.float32(1e-5f));
        metadata.put(arch + ".rope.freq_base", GgufValue.float32(10_000f));
        metadata.put("tokenizer.ggml.model", GgufValue.of("llama"));
        metadata.put("tokenizer.ggml.tokens", GgufValue.stringArray(vocabulary.tokens()));
        metadata.put("tokenizer.ggml.scores", GgufValue.float32Array(vocabulary.scores()));
        metadata.put("tokenizer.ggml.token_type", GgufValue.int32Array(vocabulary.types()));
        metadata.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(SyntheticVocabulary.BOS));
        // <|im_end|> ends a ChatML turn, so it is EOS and EOT (as in Qwen's instruct models). llama.cpp b4916
        // treats EOS, EOT and tokens spelled like <|im_end|> as end of generation, and warns when EOS is a
        // token it would not have recognised by its text (as </s>).
        metadata.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(SyntheticVocabulary.IM_END));
        metadata.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(SyntheticVocabulary.UNKNOWN));
        metadata.put("tokenizer.ggml.eot_token_id", GgufValue.uint32(SyntheticVocabulary.IM_END));
        metadata.put("tokenizer.ggml.add_bos_token", GgufValue.of(true));
        metadata.put("tokenizer.ggml.add_eos_token", GgufValue.of(false));
        metadata.put("tokenizer.chat_template", GgufValue.of(CHATML_TEMPLATE));
        return metadata;
    }

    /** The ChatML template, as Qwen and others ship it; llama.cpp recognises it by {@code <|im_start|>}. */
    static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** The tensors written to the file, in file order, with their data sources. */
    public List<TensorSource> tensors() {
        return new SyntheticTensors(this).all();
    }

    /** Builds a {@link SyntheticModel}; starts from the {@link #tiny()} shape. Not thread-safe. */
    public static final class Builder {
        private int vocab = 800;
        private int embd = 64;
        private int layers = 2;
        private int heads = 4;
        private int kvHeads = 2;
        private int feedForward = 192;
        private int context = 32_768;
        private GgmlType type = GgmlType.F32;
        private long seed = 42;
        private String name = "synthetic-tiny";
        private String architecture = "llama";

        private Builder() {
        }

        private Builder(SyntheticModel model) {
            vocab = model.vocab;
            embd = model.embd;
            layers = model.layers;
            heads = model.heads;
            kvHeads = model.kvHeads;
            feedForward = model.feedForward;
            context = model.context;
            type = model.type;
            seed = model.seed;
            name = model.name;
            architecture = model.architecture;
        }

        /** Vocabulary size. */
        public Builder vocab(int tokens) {
            this.vocab = tokens;
            return this;
        }

        /** Embedding size. */
        public Builder embd(int size) {
            this.embd = size;
            return this;
        }

        /** Number of transformer blocks. */
        public Builder layers(int count) {
            this.layers = count;
            return this;
        }

        /** Attention heads. */
        public Builder heads(int count) {
            this.heads = count;
            return this;
        }

        /** Key/value heads. */
        public Builder kvHeads(int count) {
            this.kvHeads = count;
            return this;
        }

        /** Feed-forward size. */
        public Builder feedForward(int size) {
            this.feedForward = size;
            return this;
        }

        /** Training context length in tokens. */
        public Builder context(int tokens) {
            this.context = tokens;
            return this;
        }

        /** Weight type: F32, F16, Q8_0 or Q4_K. */
        public Builder type(GgmlType weightType) {
            this.type = weightType;
            return this;
        }

        /** Seed of the weights. */
        public Builder seed(long weightSeed) {
            this.seed = weightSeed;
            return this;
        }

        /** {@code general.name}. */
        public Builder name(String modelName) {
            this.name = modelName;
            return this;
        }

        /** {@code general.architecture}: one of {@link #ARCHITECTURES}. */
        public Builder architecture(String arch) {
            this.architecture = arch;
            return this;
        }

        /** The model. @throws IllegalArgumentException if the shape is inconsistent */
        public SyntheticModel build() {
            return new SyntheticModel(vocab, embd, layers, heads, kvHeads, feedForward, context, type, seed, name,
                    architecture);
        }
    }
}
