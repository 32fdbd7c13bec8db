package dev.chatserver.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/**
 * The struct layouts match llama.cpp b4916's ABI: every field sits at the documented offset, and the defaults
 * llama.cpp returns by value read back as documented.
 */
class StructDefaultsTest {

    @Test
    void modelParamsDefaults() throws Throwable {
        assertThat(Llama.MODEL_PARAMS.byteSize()).isEqualTo(64);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) Llama.MODEL_DEFAULT_PARAMS.invokeExact((SegmentAllocator) arena);
            StructLayout l = Llama.MODEL_PARAMS;
            address(p, l, "devices", 0x00);
            integer(p, l, "n_gpu_layers", 0x08, 0);
            integer(p, l, "split_mode", 0x0c, 1);
            integer(p, l, "main_gpu", 0x10, 0);
            address(p, l, "tensor_split", 0x18);
            address(p, l, "progress_callback", 0x20);
            address(p, l, "progress_callback_user_data", 0x28);
            address(p, l, "kv_overrides", 0x30);
            bool(p, l, "vocab_only", 0x38, false);
            bool(p, l, "use_mmap", 0x39, true);
            bool(p, l, "use_mlock", 0x3a, false);
            bool(p, l, "check_tensors", 0x3b, false);
        }
    }

    @Test
    void contextParamsDefaults() throws Throwable {
        assertThat(Llama.CONTEXT_PARAMS.byteSize()).isEqualTo(120);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) Llama.CONTEXT_DEFAULT_PARAMS.invokeExact((SegmentAllocator) arena);
            StructLayout l = Llama.CONTEXT_PARAMS;
            integer(p, l, "n_ctx", 0x00, 512);
            integer(p, l, "n_batch", 0x04, 2048);
            integer(p, l, "n_ubatch", 0x08, 512);
            integer(p, l, "n_seq_max", 0x0c, 1);
            integer(p, l, "n_threads", 0x10, 4);
            integer(p, l, "n_threads_batch", 0x14, 4);
            integer(p, l, "rope_scaling_type", 0x18, -1);
            integer(p, l, "pooling_type", 0x1c, -1);
            integer(p, l, "attention_type", 0x20, -1);
            real(p, l, "rope_freq_base", 0x24, 0f);
            real(p, l, "rope_freq_scale", 0x28, 0f);
            real(p, l, "yarn_ext_factor", 0x2c, -1f);
            real(p, l, "yarn_attn_factor", 0x30, 1f);
            real(p, l, "yarn_beta_fast", 0x34, 32f);
            real(p, l, "yarn_beta_slow", 0x38, 1f);
            integer(p, l, "yarn_orig_ctx", 0x3c, 0);
            real(p, l, "defrag_thold", 0x40, -1f);
            address(p, l, "cb_eval", 0x48);
            address(p, l, "cb_eval_user_data", 0x50);
            integer(p, l, "type_k", 0x58, 1);
            integer(p, l, "type_v", 0x5c, 1);
            bool(p, l, "logits_all", 0x60, false);
            bool(p, l, "embeddings", 0x61, false);
            bool(p, l, "offload_kqv", 0x62, true);
            bool(p, l, "flash_attn", 0x63, false);
            bool(p, l, "no_perf", 0x64, true);
            address(p, l, "abort_callback", 0x68);
            address(p, l, "abort_callback_data", 0x70);
        }
    }

    @Test
    void batchLayout() {
        assertThat(Llama.BATCH.byteSize()).isEqualTo(56);
        String[] fields = {"token", "embd", "pos", "n_seq_id", "seq_id", "logits"};
        assertThat(Llama.offset(Llama.BATCH, "n_tokens")).isZero();
        for (int i = 0; i < fields.length; i++) {
            assertThat(Llama.offset(Llama.BATCH, fields[i])).as(fields[i]).isEqualTo(8L + 8L * i);
        }
        assertThat(Llama.CHAT_MESSAGE.byteSize()).isEqualTo(16);
    }

    private static void integer(MemorySegment p, StructLayout l, String field, long offset, int expected) {
        assertThat(Llama.offset(l, field)).as(field + " offset").isEqualTo(offset);
        assertThat(p.get(JAVA_INT, offset)).as(field).isEqualTo(expected);
    }

    private static void real(MemorySegment p, StructLayout l, String field, long offset, float expected) {
        assertThat(Llama.offset(l, field)).as(field + " offset").isEqualTo(offset);
        assertThat(p.get(JAVA_FLOAT, offset)).as(field).isEqualTo(expected);
    }

    private static void bool(MemorySegment p, StructLayout l, String field, long offset, boolean expected) {
        assertThat(Llama.offset(l, field)).as(field + " offset").isEqualTo(offset);
        assertThat(p.get(JAVA_BOOLEAN, offset)).as(field).isEqualTo(expected);
    }

    private static void address(MemorySegment p, StructLayout l, String field, long offset) {
        assertThat(Llama.offset(l, field)).as(field + " offset").isEqualTo(offset);
        assertThat(p.get(ADDRESS, offset)).as(field).isEqualTo(MemorySegment.NULL);
    }
}
