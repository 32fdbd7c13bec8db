package dev.chatserver.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The native llama.cpp library (release v0.5.0, built by the npm package {@code @node-llama-cpp/<platform>}; see
 * {@code NativeLibrary}) and the handles of the C functions this package calls to load a model and create a context;
 * those that generating answers needs are in {@link GenerationCalls}, bound at their first use.
 *
 * <p>The first use of this class opens the libraries once, routes llama.cpp's and ggml's log to the
 * {@link System.Logger} {@code dev.chatserver.llama.native}, has ggml load the best CPU backend variant for this
 * processor ({@code ggml_backend_load_all_from_path}: without it no backend exists) and calls
 * {@code llama_backend_init}. Every handle is a static final, bound once. Thread-safe.
 */
public final class Llama {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final NativeLibrary.Loaded LOADED = NativeLibrary.load();
    private static final SymbolLookup LIBRARY = LOADED.lookup();

    /** {@code struct llama_model_params}, 80 bytes on x86-64 (release v0.5.0). */
    static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
            ADDRESS.withName("devices"),
            ADDRESS.withName("tensor_buft_overrides"),
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),
            JAVA_INT.withName("load_mode"),
            JAVA_INT.withName("lazy_mode"),
            JAVA_INT.withName("main_gpu"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("tensor_split"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("check_tensors"),
            JAVA_BOOLEAN.withName("use_extra_bufts"),
            JAVA_BOOLEAN.withName("no_host"),
            JAVA_BOOLEAN.withName("no_alloc"),
            JAVA_BOOLEAN.withName("load_mtp"),
            MemoryLayout.paddingLayout(2));

    /** {@code enum llama_load_mode}: read the file into memory. */
    static final int LOAD_MODE_NONE = 0;
    /** {@code enum llama_load_mode}: map the file. */
    static final int LOAD_MODE_MMAP = 1;
    /** {@code enum llama_flash_attn_type}: off. */
    static final int FLASH_ATTN_DISABLED = 0;
    /** {@code enum llama_flash_attn_type}: on. */
    static final int FLASH_ATTN_ENABLED = 1;

    /** {@code struct llama_context_params}, 160 bytes on x86-64 (release v0.5.0). */
    static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("n_ctx"),
            JAVA_INT.withName("n_batch"),
            JAVA_INT.withName("n_ubatch"),
            JAVA_INT.withName("n_seq_max"),
            JAVA_INT.withName("n_rs_seq"),
            JAVA_INT.withName("n_outputs_max"),
            JAVA_INT.withName("n_outputs_max_per_seq"),
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("ctx_type"),
            JAVA_INT.withName("rope_scaling_type"),
            JAVA_INT.withName("pooling_type"),
            JAVA_INT.withName("attention_type"),
            JAVA_INT.withName("flash_attn_type"),
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),
            JAVA_FLOAT.withName("defrag_thold"),
            ADDRESS.withName("cb_eval"),
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),
            JAVA_INT.withName("type_v"),
            ADDRESS.withName("abort_callback"),
            ADDRESS.withName("abort_callback_data"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("no_perf"),
            JAVA_BOOLEAN.withName("op_offload"),
            JAVA_BOOLEAN.withName("swa_full"),
            JAVA_BOOLEAN.withName("kv_unified"),
            MemoryLayout.paddingLayout(2),
            ADDRESS.withName("samplers"),
            JAVA_LONG.withName("n_samplers"),
            ADDRESS.withName("ctx_other"));

    /** {@code struct llama_batch}, 56 bytes: a count and six arrays of {@code n_tokens} entries. */
    static final StructLayout BATCH = MemoryLayout.structLayout(
            JAVA_INT.withName("n_tokens"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("token"),
            ADDRESS.withName("embd"),
            ADDRESS.withName("pos"),
            ADDRESS.withName("n_seq_id"),
            ADDRESS.withName("seq_id"),
            ADDRESS.withName("logits"));

    /** {@code struct llama_chat_message}: role and content, two C strings. */
    static final StructLayout CHAT_MESSAGE = MemoryLayout.structLayout(
            ADDRESS.withName("role"), ADDRESS.withName("content"));

    // library
    static final MethodHandle LOG_SET = fn("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    static final MethodHandle BACKEND_INIT = fn("llama_backend_init", FunctionDescriptor.ofVoid());
    static final MethodHandle BACKEND_LOAD_ALL_FROM_PATH = fn("ggml_backend_load_all_from_path",
            FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle VERSION = fn("llama_version", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle PRINT_SYSTEM_INFO = fn("llama_print_system_info", FunctionDescriptor.of(ADDRESS));

    // model
    static final MethodHandle MODEL_DEFAULT_PARAMS = fn("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
    static final MethodHandle MODEL_LOAD = fn("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
    static final MethodHandle MODEL_FREE = fn("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle MODEL_GET_VOCAB = fn("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle MODEL_CHAT_TEMPLATE = fn("llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle MODEL_META_VAL_STR = fn("llama_model_meta_val_str",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle MODEL_N_PARAMS = fn("llama_model_n_params", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    static final MethodHandle MODEL_SIZE = fn("llama_model_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    static final MethodHandle MODEL_N_CTX_TRAIN = fn("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    // vocabulary
    static final MethodHandle VOCAB_N_TOKENS = fn("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle VOCAB_BOS = fn("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle VOCAB_EOS = fn("llama_vocab_eos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle VOCAB_EOT = fn("llama_vocab_eot", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    // context
    static final MethodHandle CONTEXT_DEFAULT_PARAMS = fn("llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
    static final MethodHandle INIT_FROM_MODEL = fn("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
    static final MethodHandle FREE = fn("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle N_CTX = fn("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle N_SEQ_MAX = fn("llama_n_seq_max", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle N_THREADS = fn("llama_n_threads", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle N_BATCH = fn("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle N_CTX_SEQ = fn("llama_n_ctx_seq", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    // memory (the KV cache); the functions take the context's llama_memory_t
    static final MethodHandle GET_MEMORY = fn("llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));

    // batch
    static final MethodHandle BATCH_INIT = fn("llama_batch_init", FunctionDescriptor.of(BATCH, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle BATCH_FREE = fn("llama_batch_free", FunctionDescriptor.ofVoid(BATCH));

    // sampling
    static final MethodHandle SAMPLER_CHAIN_INIT = fn("llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, JAVA_BOOLEAN));
    static final MethodHandle SAMPLER_CHAIN_ADD = fn("llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    static final MethodHandle SAMPLER_INIT_GREEDY = fn("llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle SAMPLER_FREE = fn("llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));

    private static final LlamaRuntime RUNTIME;

    static {
        try {
            MethodHandle onLog = MethodHandles.lookup().findStatic(NativeLog.class, "onLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment callback = LINKER.upcallStub(onLog,
                    FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            LOG_SET.invokeExact(callback, MemorySegment.NULL);
            try (Arena temp = Arena.ofConfined()) {
                BACKEND_LOAD_ALL_FROM_PATH.invokeExact(temp.allocateFrom(LOADED.directory().toString()));
            }
            BACKEND_INIT.invokeExact();
            RUNTIME = new LlamaRuntime(LOADED.release(),
                    ((MemorySegment) VERSION.invokeExact()).reinterpret(256).getString(0),
                    NativeLog.loadedBackends(), LOADED.directory());
        } catch (Throwable e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Llama() {
    }

    /** @return what the static initialiser loaded; see {@link LlamaRuntime#current()} */
    static LlamaRuntime runtime() {
        return RUNTIME;
    }

    /**
     * Loads the native library and initialises llama.cpp if that has not happened yet; every other entry point
     * of this package does so implicitly. Idempotent and thread-safe.
     */
    public static void initialize() {
        // The static initialiser has run by the time this body executes.
    }

    /** Binds one C function of the library. */
    static MethodHandle fn(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBRARY.find(name)
                .orElseThrow(() -> new LlamaException("native llama.cpp library has no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /**
     * @param layout a struct layout of this class
     * @param field  one of its field names
     * @return the field's byte offset
     */
    static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** A native call, as a lambda; for calls off the hot path. */
    @FunctionalInterface
    interface NativeCall<T> {
        /** @return the call's result @throws Throwable as {@code invokeExact} does */
        T run() throws Throwable;
    }

    /** Runs a native call, rethrowing what it throws unchecked. */
    static <T> T call(NativeCall<T> call) {
        try {
            return call.run();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * @param free a handle of type {@code (MemorySegment)void} that frees a native object
     * @return an arena clean-up action calling it
     */
    static java.util.function.Consumer<MemorySegment> freeing(MethodHandle free) {
        return segment -> {
            try {
                free.invokeExact(segment);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        };
    }

    /** Wraps a {@link Throwable} from {@code invokeExact} that is not already unchecked. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new LlamaException("native call failed", t);
    }
}
