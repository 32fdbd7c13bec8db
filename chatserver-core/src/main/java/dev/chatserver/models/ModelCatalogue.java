package dev.chatserver.models;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in list of small instruct models that llama.cpp release v0.5.0 runs, with where to get them.
 *
 * <p>Immutable; safe from any thread. Sizes are the hub's listed file sizes, rounded, and only used for messages.
 */
public final class ModelCatalogue {

    /** Name of the model {@code model pull} and the first {@code server} start fetch when none is given. */
    public static final String DEFAULT_NAME = "qwen2.5-coder-1.5b";

    private static final List<CatalogueModel> MODELS = List.of(
            new CatalogueModel(DEFAULT_NAME,
                    "Qwen2.5-Coder 1.5B Instruct, Q8_0 (SocketLab's model; good at code, fine at chat)",
                    "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "qwen2.5-coder-1.5b-instruct-q8_0.gguf",
                    1_890_000_000L, "qwen2", "Apache-2.0"),
            new CatalogueModel("qwen2.5-0.5b", "Qwen2.5 0.5B Instruct, Q8_0 (smallest and fastest; simple chat)",
                    "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q8_0.gguf",
                    680_000_000L, "qwen2", "Apache-2.0"),
            new CatalogueModel("qwen2.5-1.5b", "Qwen2.5 1.5B Instruct, Q4_K_M (general chat)",
                    "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf",
                    1_120_000_000L, "qwen2", "Apache-2.0"),
            new CatalogueModel("qwen2.5-3b", "Qwen2.5 3B Instruct, Q4_K_M (better answers, slower)",
                    "Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b-instruct-q4_k_m.gguf",
                    2_100_000_000L, "qwen2", "Qwen Research License"),
            new CatalogueModel("qwen3-1.7b", "Qwen3 1.7B, Q8_0 (current small Qwen; thinks aloud before answering)",
                    "Qwen/Qwen3-1.7B-GGUF", "Qwen3-1.7B-Q8_0.gguf",
                    1_830_000_000L, "qwen3", "Apache-2.0"),
            new CatalogueModel("qwen3-4b", "Qwen3 4B, Q4_K_M (better answers, slower; thinks aloud)",
                    "Qwen/Qwen3-4B-GGUF", "Qwen3-4B-Q4_K_M.gguf",
                    2_500_000_000L, "qwen3", "Apache-2.0"),
            new CatalogueModel("gemma3-1b", "Gemma 3 1B Instruct, Q4_K_M (small general chat)",
                    "ggml-org/gemma-3-1b-it-GGUF", "gemma-3-1b-it-Q4_K_M.gguf",
                    810_000_000L, "gemma3", "Gemma Terms of Use"),
            new CatalogueModel("gemma3-4b", "Gemma 3 4B Instruct, Q4_K_M (better answers, slower)",
                    "ggml-org/gemma-3-4b-it-GGUF", "gemma-3-4b-it-Q4_K_M.gguf",
                    2_490_000_000L, "gemma3", "Gemma Terms of Use"),
            new CatalogueModel("smollm3-3b", "SmolLM3 3B, Q4_K_M (open-data model; general chat)",
                    "ggml-org/SmolLM3-3B-GGUF", "SmolLM3-Q4_K_M.gguf",
                    1_920_000_000L, "smollm3", "Apache-2.0"),
            new CatalogueModel("llama3.2-1b", "Llama 3.2 1B Instruct, Q4_K_M (small general chat)",
                    "bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
                    810_000_000L, "llama", "Llama 3.2 Community License"),
            new CatalogueModel("llama3.2-3b", "Llama 3.2 3B Instruct, Q4_K_M (better answers, slower)",
                    "bartowski/Llama-3.2-3B-Instruct-GGUF", "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
                    2_020_000_000L, "llama", "Llama 3.2 Community License"));

    private ModelCatalogue() {
    }

    /** @return every model, the default first */
    public static List<CatalogueModel> all() {
        return MODELS;
    }

    /** @return the model fetched when none is named */
    public static CatalogueModel defaultModel() {
        return MODELS.getFirst();
    }

    /**
     * Looks a model up by name, ignoring case.
     *
     * @param name a catalogue name such as {@code qwen2.5-0.5b}
     * @return the model, or empty when the catalogue has no such name
     */
    public static Optional<CatalogueModel> find(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return MODELS.stream().filter(m -> m.name().equals(wanted)).findFirst();
    }
}
