package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The embedding example of the package documentation, run on the synthetic model. */
class EmbeddingExampleTest {

    @Test
    void theDocumentedExampleRuns() throws InterruptedException {
        Path modelFile = Engines.tiny();
        StringBuilder printed = new StringBuilder();
        EngineConfig config = EngineConfig.builder(modelFile)
                .parallel(4)
                .systemPrompt("You are a helpful assistant.")
                .maxTokens(16)
                .build();
        Completion done;
        try (ChatEngine engine = ChatEngine.create(config);
             ChatSession session = engine.openSession()) {
            Reply reply = session.send("Hello! Who are you?", new ReplyListener() {
                @Override
                public void onText(String piece) {
                    printed.append(piece);
                }

                @Override
                public void onComplete(Completion completion) {
                    printed.append(" [").append(completion.reason()).append(']');
                }
            });
            done = reply.await();
            assertThat(engine.info().parallel()).isEqualTo(4);
        }
        assertThat(done.isSuccess()).isTrue();
        assertThat(printed.toString()).endsWith("[" + done.reason() + "]");
        assertThat(done.stats().generatedTokens()).isPositive();
    }
}
