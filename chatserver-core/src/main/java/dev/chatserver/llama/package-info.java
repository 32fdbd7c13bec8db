/**
 * Typed Java wrappers over the C API of llama.cpp release b4916, called through the Foreign Function &amp; Memory
 * API; no C or JNI code of our own.
 *
 * <h2>Where the native code comes from</h2>
 * {@code de.kherud:llama} carries llama.cpp as one shared library per platform, with a loader. {@link
 * dev.chatserver.llama.Llama} has that loader load it once (silently: the library is extracted to a private
 * temporary directory that the loader is pointed at) and then finds the {@code llama_*} symbols through {@link
 * java.lang.foreign.SymbolLookup#loaderLookup()}. kherud's own JNI API is not used.
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
 * <h2>Release b4916 specifics</h2>
 * A full KV cache is reported by {@code llama_decode} as -3, not as the documented 1; both are {@link
 * dev.chatserver.llama.DecodeResult#NO_KV_SLOT}. {@code llama_kv_self_seq_pos_max} gives 0 for an empty sequence.
 * The KV cache is one pool of {@code n_ctx} cells shared by all sequences. Chat templates are recognised by
 * heuristics; an unrecognised one falls back to ChatML.
 */
package dev.chatserver.llama;
