package dev.chatserver.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/**
 * The struct layouts match llama.cpp v0.5.0's ABI: every field sits at the documented offset, and the defaults
 * llama.cpp returns by value read back as documented.
 */
class StructDefaultsTest {

    @Test
    void modelParamsDefaults() throws Throwable {
        assertThat(Llama.MODEL_PARAMS.byteSize()).isEqualTo(80);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) Llama.MODEL_DEFAULT_PARAMS.invokeExact((SegmentAllocator) arena);
            StructLayout l = Llama.MODEL_PARAMS;
            address(p, l, "devices", 0x00);
            address(p, l, "tensor_buft_overrides", 0x08);
            integer(p, l, "n_gpu_layers", 0x10, -1);
            integer(p, l, "split_mode", 0x14, 1);
            integer(p, l, "load_mode", 0x18, -1);
            integer(p, l, "lazy_mode", 0x1c, 1);
            integer(p, l, "main_gpu", 0x20, 0);
            address(p, l, "tensor_split", 0x28);
            address(p, l, "progress_callback", 0x30);
            address(p, l, "progress_callback_user_data", 0x38);
            address(p, l, "kv_overrides", 0x40);
            bool(p, l, "vocab_only", 0x48, false);
            bool(p, l, "check_tensors", 0x49, false);
            bool(p, l, "use_extra_bufts", 0x4a, true);
            bool(p, l, "no_host", 0x4b, false);
            bool(p, l, "no_alloc", 0x4c, false);
            bool(p, l, "load_mtp", 0x4d, false);
        }
    }

    @Test
    void contextParamsDefaults() throws Throwable {
        assertThat(Llama.CONTEXT_PARAMS.byteSize()).isEqualTo(160);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) Llama.CONTEXT_DEFAULT_PARAMS.invokeExact((SegmentAllocator) arena);
            StructLayout l = Llama.CONTEXT_PARAMS;
            integer(p, l, "n_ctx", 0x00, 512);
            integer(p, l, "n_batch", 0x04, 2048);
            integer(p, l, "n_ubatch", 0x08, 512);
            integer(p, l, "n_seq_max", 0x0c, 1);
            integer(p, l, "n_rs_seq", 0x10, 0);
            integer(p, l, "n_outputs_max", 0x14, 0);
            integer(p, l, "n_outputs_max_per_seq", 0x18, 1);
            integer(p, l, "n_threads", 0x1c, 4);
            integer(p, l, "n_threads_batch", 0x20, 4);
            integer(p, l, "ctx_type", 0x24, 0);
            integer(p, l, "rope_scaling_type", 0x28, -1);
            integer(p, l, "pooling_type", 0x2c, -1);
            integer(p, l, "attention_type", 0x30, -1);
            integer(p, l, "flash_attn_type", 0x34, -1);
            real(p, l, "rope_freq_base", 0x38, 0f);
            real(p, l, "rope_freq_scale", 0x3c, 0f);
            real(p, l, "yarn_ext_factor", 0x40, -1f);
            real(p, l, "yarn_attn_factor", 0x44, -1f);
            real(p, l, "yarn_beta_fast", 0x48, -1f);
            real(p, l, "yarn_beta_slow", 0x4c, -1f);
            integer(p, l, "yarn_orig_ctx", 0x50, 0);
            real(p, l, "defrag_thold", 0x54, -1f);
            address(p, l, "cb_eval", 0x58);
            address(p, l, "cb_eval_user_data", 0x60);
            integer(p, l, "type_k", 0x68, 1);
            integer(p, l, "type_v", 0x6c, 1);
            address(p, l, "abort_callback", 0x70);
            address(p, l, "abort_callback_data", 0x78);
            bool(p, l, "embeddings", 0x80, false);
            bool(p, l, "offload_kqv", 0x81, true);
            bool(p, l, "no_perf", 0x82, true);
            bool(p, l, "op_offload", 0x83, true);
            bool(p, l, "swa_full", 0x84, true);
            bool(p, l, "kv_unified", 0x85, false);
            address(p, l, "samplers", 0x88);
            assertThat(Llama.offset(l, "n_samplers")).isEqualTo(0x90);
            assertThat(p.get(JAVA_LONG, 0x90)).as("n_samplers").isZero();
            address(p, l, "ctx_other", 0x98);
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
