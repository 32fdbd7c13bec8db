package dev.chatserver.llama;

import static dev.chatserver.llama.Llama.call;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.chatserver.gguf.GgufFormatException;
import dev.chatserver.gguf.GgufReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A loaded GGUF model ({@code llama_model *}): weights, vocabulary, chat template. Owns the native model through
 * its own shared arena; {@link #close()} frees it (and closes contexts still open on it).
 *
 * <p>Thread-safety: a model is immutable once loaded; its methods may be called from any thread (typically it is
 * loaded on one thread and used from the engine thread). {@link #close()} must not race with calls in progress.
 */
public final class LlamaModel implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LlamaModel.class.getName());

    private static final long GPU_LAYERS = Llama.offset(Llama.MODEL_PARAMS, "n_gpu_layers");
    private static final long VOCAB_ONLY = Llama.offset(Llama.MODEL_PARAMS, "vocab_only");
    private static final long LOAD_MODE = Llama.offset(Llama.MODEL_PARAMS, "load_mode");
    private static final long USE_EXTRA_BUFTS = Llama.offset(Llama.MODEL_PARAMS, "use_extra_bufts");

    private final Path file;
    private final boolean vocabularyOnly;
    private final Arena arena;
    private final MemorySegment handle;
    private final Vocab vocab;
    private final ModelInfo info;
    private final Optional<String> chatTemplate;
    private final Set<LlamaContext> contexts = ConcurrentHashMap.newKeySet();
    /** Set when llama.cpp did not recognise the model's template; ChatML is used from then on. */
    private volatile boolean templateUnsupported;
    private volatile boolean closed;

    private LlamaModel(Path file, boolean vocabularyOnly, MemorySegment rawHandle) {
        this.file = file;
        this.vocabularyOnly = vocabularyOnly;
        this.arena = Arena.ofShared();
        // Bound to the arena: closing it frees the model, and any later native use of the handle fails.
        this.handle = rawHandle.reinterpret(arena, Llama.freeing(Llama.MODEL_FREE));
        try {
            this.vocab = new Vocab(this, call(() -> (MemorySegment) Llama.MODEL_GET_VOCAB.invokeExact(handle)));
            this.chatTemplate = Optional.ofNullable(readTemplate());
            this.info = readInfo();
        } catch (RuntimeException | Error e) {
            arena.close(); // frees the model
            throw e;
        }
    }

    /**
     * Loads a GGUF model. Never crashes the JVM on a bad file: the file's structure is checked in Java first, and
     * llama.cpp's own refusal (e.g. an unknown architecture) is reported with the reason it logged.
     *
     * @param file   a GGUF v2/v3 file
     * @param params how to load it
     * @return the model; close it
     * @throws ModelLoadException naming the file and the reason when it cannot be loaded
     */
    public static LlamaModel load(Path file, ModelParams params) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(params, "params");
        checkFile(file);
        NativeLibrary.ensureLoaded();
        try (Arena temp = Arena.ofConfined(); NativeLog.Capture log = NativeLog.capture()) {
            MemorySegment p = (MemorySegment) Llama.MODEL_DEFAULT_PARAMS.invokeExact((SegmentAllocator) temp);
            p.set(JAVA_INT, GPU_LAYERS, params.gpuLayers());
            p.set(JAVA_INT, LOAD_MODE, params.useMmap() ? Llama.LOAD_MODE_MMAP : Llama.LOAD_MODE_NONE);
            p.set(JAVA_BOOLEAN, VOCAB_ONLY, params.vocabOnly());
            p.set(JAVA_BOOLEAN, USE_EXTRA_BUFTS, params.repackWeights());
            MemorySegment path = temp.allocateFrom(file.toAbsolutePath().toString());
            MemorySegment model = (MemorySegment) Llama.MODEL_LOAD.invokeExact(path, p);
            if (model.equals(MemorySegment.NULL)) throw new ModelLoadException(file, reason(log.lines()));
            return new LlamaModel(file, params.vocabOnly(), model);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /**
     * Reads the file's header, metadata and tensor directory in Java first. llama.cpp's GGUF parser writes its
     * complaints straight to the process's standard error (not through the log callback) and gives only "failed to
     * load model"; this check names the problem (missing, empty, not GGUF, version 1, truncated, impossible
     * values) and keeps broken files away from native code. What it passes, llama.cpp parses quietly.
     */
    private static void checkFile(Path file) {
        if (!Files.isReadable(file) && Files.exists(file)) throw new ModelLoadException(file, "file is not readable");
        try {
            GgufReader.read(file);
        } catch (GgufFormatException e) {
            throw new ModelLoadException(file, e.reason());
        }
    }

    /** The most telling of llama.cpp's error lines, without function-name prefixes and generic follow-ups. */
    static String reason(List<String> logged) {
        String joined = logged.stream()
                .map(LlamaModel::withoutPrefix)
                .filter(line -> !line.startsWith("failed to load model"))
                .distinct()
                .collect(Collectors.joining("; "));
        return joined.isEmpty() ? "llama.cpp refused the file (no reason logged)" : joined;
    }

    private static String withoutPrefix(String line) {
        String s = line.strip();
        for (String prefix = firstWord(s); prefix != null; prefix = firstWord(s)) {
            s = s.substring(prefix.length()).strip();
        }
        return s.startsWith("error loading model: ") ? s.substring("error loading model: ".length()) : s;
    }

    /** A leading {@code "function_name: "} (C identifier and colon), or null. */
    private static String firstWord(String s) {
        int colon = s.indexOf(": ");
        if (colon <= 0) return null;
        String head = s.substring(0, colon);
        return head.chars().allMatch(c -> c == '_' || Character.isLetterOrDigit(c)) && head.contains("_")
                ? s.substring(0, colon + 1) : null;
    }

    /** @return the file this model was loaded from */
    public Path file() {
        return file;
    }

    /** @return the vocabulary; valid while this model is open */
    public Vocab vocab() {
        checkOpen();
        return vocab;
    }

    /** @return the model's chat template ({@code tokenizer.chat_template}), if it has one */
    public Optional<String> chatTemplate() {
        checkOpen();
        return chatTemplate;
    }

    /** @return name, architecture, size and vocabulary of the model */
    public ModelInfo info() {
        checkOpen();
        return info;
    }

    /**
     * Formats a conversation as the prompt text the model expects, with its own template; with ChatML when it has
     * none or llama.cpp does not recognise it (it detects templates heuristically; logged once).
     *
     * @param messages     the conversation so far
     * @param addAssistant end with the opening of the assistant's turn
     * @return the prompt text (special tokens written out, e.g. {@code <|im_start|>})
     */
    public String formatChat(List<ChatMessage> messages, boolean addAssistant) {
        checkOpen();
        Objects.requireNonNull(messages, "messages");
        if (chatTemplate.isPresent() && !templateUnsupported) {
            Optional<String> formatted = ChatFormat.apply(chatTemplate.get(), messages, addAssistant);
            if (formatted.isPresent()) return formatted.get();
            templateUnsupported = true;
            LOG.log(System.Logger.Level.WARNING, "llama.cpp does not recognise the chat template of {0}; using ChatML",
                    file.getFileName());
        }
        return ChatFormat.apply(ChatFormat.CHATML, messages, addAssistant)
                .orElseThrow(() -> new LlamaException("llama.cpp cannot format ChatML"));
    }

    /**
     * Creates a context (KV cache and compute buffers) for this model.
     *
     * @param params size, sequences and threads
     * @return the context; close it before the model
     * @throws LlamaException when llama.cpp cannot create it (e.g. out of memory)
     * @throws IllegalStateException when the model was loaded with {@link ModelParams#vocabOnly()}
     */
    public LlamaContext newContext(ContextParams params) {
        checkOpen();
        if (vocabularyOnly) {
            // llama.cpp would create the context and then decode without weights.
            throw new IllegalStateException("LlamaModel " + file.getFileName() + " was loaded without weights (vocabOnly)");
        }
        LlamaContext context = LlamaContext.create(this, params);
        contexts.add(context);
        return context;
    }

    /** Frees the model after closing contexts still open on it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (LlamaContext context : List.copyOf(contexts)) context.close();
        arena.close();
    }

    @Override
    public String toString() {
        return "LlamaModel[" + file.getFileName() + (closed ? ", closed]" : "]");
    }

    void contextClosed(LlamaContext context) {
        contexts.remove(context);
    }

    /** @return the native {@code llama_model *}, after checking this model is open */
    MemorySegment handle() {
        checkOpen();
        return handle;
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("LlamaModel " + file.getFileName() + " is closed");
    }

    private String readTemplate() {
        MemorySegment tmpl = call(() -> (MemorySegment) Llama.MODEL_CHAT_TEMPLATE.invokeExact(handle, MemorySegment.NULL));
        return tmpl.equals(MemorySegment.NULL) ? null : tmpl.reinterpret(Integer.MAX_VALUE).getString(0);
    }

    private ModelInfo readInfo() {
        String fileName = file.getFileName().toString();
        String name = metadata("general.name")
                .orElse(fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName);
        String architecture = metadata("general.architecture").orElse("unknown");
        long parameters = call(() -> (long) Llama.MODEL_N_PARAMS.invokeExact(handle));
        long size = call(() -> (long) Llama.MODEL_SIZE.invokeExact(handle));
        int trainingContext = call(() -> (int) Llama.MODEL_N_CTX_TRAIN.invokeExact(handle));
        return new ModelInfo(name, architecture, parameters, size, trainingContext, vocab.size());
    }

    /**
     * @param key a GGUF metadata key
     * @return its value as llama.cpp renders it, if present
     */
    public Optional<String> metadata(String key) {
        checkOpen();
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment k = temp.allocateFrom(key);
            long capacity = 256;
            while (true) {
                MemorySegment buf = temp.allocate(capacity);
                long cap = capacity;
                int n = call(() -> (int) Llama.MODEL_META_VAL_STR.invokeExact(handle, k, buf, cap));
                if (n < 0) return Optional.empty();
                if (n < capacity) return Optional.of(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
                capacity = n + 1L;
            }
        }
    }
}
