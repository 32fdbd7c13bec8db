/**
 * Typed Java wrappers over the C API of llama.cpp release v0.5.0, called through the Foreign Function &amp; Memory
 * API; no C or JNI code of our own.
 *
 * <h2>Where the native code comes from</h2>
 * The build packs the shared libraries of the npm package {@code @node-llama-cpp/<platform>} (a prebuilt of the
 * release, integrity pinned in {@code chatserver-core/natives/natives.lock}) into the jar. {@code NativeLibrary}
 * extracts them once per user into a cache directory named by release, platform and integrity, and opens
 * libggml-base, libggml and libllama with {@link java.lang.foreign.SymbolLookup#libraryLookup}; {@link
 * dev.chatserver.llama.Llama} then has ggml load its CPU backend ({@code ggml_backend_load_all_from_path}: ggml
 * scores the 14 x86-64 variants by CPUID and loads the best). {@link dev.chatserver.llama.LlamaRuntime#current()}
 * names the release and the variant.
 *
 * <h2>Ownership</h2>
 * Every native object has one {@link java.lang.AutoCloseable} owner with its own arena: {@link
 * dev.chatserver.llama.LlamaModel} (weights, vocabulary), {@link dev.chatserver.llama.LlamaContext} (KV cache),
 * {@link dev.chatserver.llama.Batch}, {@link dev.chatserver.llama.Sampler}. Closing twice is harmless; using a closed
 * object throws {@link java.lang.IllegalStateException}. Closing a model closes its contexts; {@link
 * dev.chatserver.llama.Vocab} belongs to its model.
 *
 * <h2>Threads</h2>
 * A model may be used from any thread. A context, and the batches and samplers used with it, belong to one thread
 * (the engine thread) by contract, without locks. The hot path (fill a batch, decode, sample) allocates nothing
 * per token and uses only static final method handles.
 *
 * <h2>Never crash the JVM</h2>
 * llama.cpp aborts the process on some bad input. What reaches it is checked first: model files are read by {@link
 * dev.chatserver.gguf.GgufReader} before llama.cpp opens them, batches are checked against the context (size,
 * sequence ids, token ids), and sampling is allowed only at batch indices that have logits.
 *
 * <h2>Log</h2>
 * llama.cpp's log goes to the {@link java.lang.System.Logger} {@code dev.chatserver.llama.native} (errors as
 * ERROR, warnings as WARNING, the rest as DEBUG/TRACE), never straight to the console.
 *
 * <h2>Release v0.5.0 specifics</h2>
 * The KV cache is edited through {@code llama_memory_*} on the context's {@code llama_memory_t}; there is no count
 * of used cells, so {@link dev.chatserver.llama.LlamaContext#usedCells()} adds up the sequences' position spans.
 * {@code llama_memory_seq_pos_max} gives -1 for an empty sequence. {@code n_ctx} is padded to a multiple of 256.
 * With {@code kv_unified} (what the engine uses) the cache is one pool of {@code n_ctx} cells shared by all
 * sequences, and a micro-batch may take free cells that are not contiguous; without it (llama.cpp's default) every
 * sequence has its own stream of {@code n_ctx / n_seq_max} cells. A full cache is {@code llama_decode}'s 1,
 * {@link dev.chatserver.llama.DecodeResult#NO_KV_SLOT}, and leaves the cache as it was. A batch's new positions
 * of a sequence must continue from its last stored position + 1. Flash attention is an enum ({@code
 * flash_attn_type}); we set it on or off, never "auto". Chat templates are recognised by heuristics; an
 * unrecognised one falls back to ChatML.
 */
package dev.chatserver.llama;
