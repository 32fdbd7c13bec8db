package dev.chatserver.models;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModelCatalogueTest {

    @Test
    void theDefaultIsTheLabsModelFromItsOfficialRepository() {
        CatalogueModel model = ModelCatalogue.defaultModel();

        assertThat(model.name()).isEqualTo(ModelCatalogue.DEFAULT_NAME);
        assertThat(model.fileName()).isEqualTo("qwen2.5-coder-1.5b-instruct-q8_0.gguf");
        assertThat(model.url()).hasToString("https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF"
                + "/resolve/main/qwen2.5-coder-1.5b-instruct-q8_0.gguf");
    }

    @Test
    void aMirrorServesTheSamePaths() {
        assertThat(ModelCatalogue.defaultModel().url(java.net.URI.create("http://127.0.0.1:8000/")))
                .hasToString("http://127.0.0.1:8000/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF"
                        + "/resolve/main/qwen2.5-coder-1.5b-instruct-q8_0.gguf");
    }

    @Test
    void everyEntryIsAnHttpsGgufWithAUniqueNameAndAnArchitectureTheRuntimeRuns() {
        assertThat(ModelCatalogue.all()).extracting(CatalogueModel::name).doesNotHaveDuplicates();
        assertThat(ModelCatalogue.all()).allSatisfy(m -> {
            assertThat(m.url().getScheme()).isEqualTo("https");
            assertThat(m.url().getPath()).endsWith("/" + m.fileName());
            assertThat(m.fileName()).endsWith(".gguf");
            // architectures of llama.cpp v0.5.0 (src/llama-arch.cpp) that the catalogue uses
            assertThat(m.architecture()).isIn("llama", "qwen2", "qwen3", "gemma3", "smollm3");
            assertThat(ModelCatalogue.find(m.name().toUpperCase())).contains(m);
        });
        assertThat(ModelCatalogue.all()).extracting(CatalogueModel::architecture).contains("qwen3", "gemma3");
        assertThat(ModelCatalogue.find("no-such-model")).isEmpty();
    }

    @Test
    void formatsSizesInDecimalUnits() {
        assertThat(ByteSizes.format(999)).isEqualTo("999 B");
        assertThat(ByteSizes.format(1_890_000_000L)).isEqualTo("1.9 GB");
        assertThat(ByteSizes.format(680_000_000L)).isEqualTo("680 MB");
        assertThat(ByteSizes.format(12_345)).isEqualTo("12.3 kB");
    }
}
