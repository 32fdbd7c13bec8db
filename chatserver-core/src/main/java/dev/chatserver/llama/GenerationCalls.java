package dev.chatserver.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * The handles of the C functions that generating answers needs (decoding, the KV cache, sampling beyond a greedy
 * chain, tokenizing and chat formatting), bound at the first use of one of them rather than with the library in
 * {@link Llama}: a server listens before its engine decodes anything, and binding a downcall handle (code generated
 * for each new signature) is a noticeable part of a start. Every handle is a static final, bound once. Thread-safe.
 */
final class GenerationCalls {

    // vocabulary and chat template
    static final MethodHandle VOCAB_IS_EOG = Llama.fn("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
    static final MethodHandle TOKENIZE = Llama.fn("llama_tokenize",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
    static final MethodHandle TOKEN_TO_PIECE = Llama.fn("llama_token_to_piece",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN),
            // Short, never calls back into Java: may run as a critical call writing straight into a Java array.
            Linker.Option.critical(true));
    static final MethodHandle CHAT_APPLY_TEMPLATE = Llama.fn("llama_chat_apply_template",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, ADDRESS, JAVA_INT));

    // decoding
    static final MethodHandle DECODE = Llama.fn("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, Llama.BATCH));
    static final MethodHandle GET_LOGITS_ITH = Llama.fn("llama_get_logits_ith",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

    // memory (the KV cache); the functions take the context's llama_memory_t
    static final MethodHandle MEMORY_CLEAR = Llama.fn("llama_memory_clear", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
    static final MethodHandle MEMORY_SEQ_RM = Llama.fn("llama_memory_seq_rm",
            FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle MEMORY_SEQ_ADD = Llama.fn("llama_memory_seq_add",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle MEMORY_SEQ_POS_MIN = Llama.fn("llama_memory_seq_pos_min", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle MEMORY_SEQ_POS_MAX = Llama.fn("llama_memory_seq_pos_max", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle STATE_SEQ_GET_SIZE = Llama.fn("llama_state_seq_get_size",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
    static final MethodHandle STATE_SEQ_GET_DATA = Llama.fn("llama_state_seq_get_data",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    static final MethodHandle STATE_SEQ_SET_DATA = Llama.fn("llama_state_seq_set_data",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));

    // sampling (a greedy chain needs none of the samplers here)
    static final MethodHandle SAMPLER_INIT_TOP_K = Llama.fn("llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle SAMPLER_INIT_TOP_P = Llama.fn("llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
    static final MethodHandle SAMPLER_INIT_MIN_P = Llama.fn("llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
    static final MethodHandle SAMPLER_INIT_TEMP = Llama.fn("llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
    static final MethodHandle SAMPLER_INIT_DIST = Llama.fn("llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    /** {@code (n_vocab, penalty_last_n, repeat, freq, present)}: release v0.5.0 added {@code n_vocab}. */
    static final MethodHandle SAMPLER_INIT_PENALTIES = Llama.fn("llama_sampler_init_penalties",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
    static final MethodHandle SAMPLER_SAMPLE = Llama.fn("llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle SAMPLER_ACCEPT = Llama.fn("llama_sampler_accept", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle SAMPLER_RESET = Llama.fn("llama_sampler_reset", FunctionDescriptor.ofVoid(ADDRESS));

    private GenerationCalls() {
    }
}
