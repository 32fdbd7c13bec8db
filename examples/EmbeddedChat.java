import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.ReplyListener;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Embedding the chat engine in another JVM application: one engine, one conversation, answers streamed to stdout.
 *
 * <p>Run from the repository root after building (the CLI jar carries the library and its dependencies):
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp chatserver-cli/target/chatserver-cli.jar \
 *      examples/EmbeddedChat.java models/model.gguf "Hello! Who are you?" "Say that again, shorter."
 * </pre>
 */
public class EmbeddedChat {

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: EmbeddedChat MODEL.gguf PROMPT [PROMPT...]");
            return;
        }
        EngineConfig config = EngineConfig.builder(Path.of(args[0]))
                .parallel(2)          // conversations decoded together in one batch
                .maxTokens(64)        // longest answer, in tokens
                .build();
        try (ChatEngine engine = ChatEngine.create(config);
             ChatSession session = engine.openSession()) {
            for (String prompt : Arrays.copyOfRange(args, 1, args.length)) {
                System.out.println("> " + prompt);
                Completion done = session.send(prompt, new ReplyListener() {
                    @Override
                    public void onText(String piece) {      // whole UTF-8 characters, as they are generated
                        System.out.print(piece);
                        System.out.flush();
                    }

                    @Override
                    public void onComplete(Completion completion) {
                        System.out.println();
                    }
                }).await();
                System.out.printf("[%s: %d prompt tokens, %d generated]%n", done.reason(),
                        done.stats().promptTokens(), done.stats().generatedTokens());
            }
        }
    }
}
