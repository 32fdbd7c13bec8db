import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.ReplyListener;
import dev.chatserver.llama.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Embedding the chat engine in another JVM application: one engine, one conversation, answers streamed to stdout.
 *
 * <p>Run from the repository root after building (the CLI jar carries the library and its dependencies), with a
 * model in place: {@code java -jar chatserver-cli/target/chatserver-cli.jar model pull} downloads the default one
 * into {@code models/model.gguf}; {@code model synth --out models/synthetic.gguf} writes a small synthetic one
 * (random weights: it answers gibberish, but runs anywhere without network).
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp chatserver-cli/target/chatserver-cli.jar \
 *      examples/EmbeddedChat.java models/model.gguf "Hello! Who are you?" "Say that again, shorter."
 * </pre>
 */
public class EmbeddedChat {

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: EmbeddedChat MODEL.gguf PROMPT [PROMPT...]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        if (!Files.isRegularFile(model)) {
            System.err.println("no model at " + model + ": get one first, e.g. java -jar "
                    + "chatserver-cli/target/chatserver-cli.jar model pull (or model synth --out " + model + ")");
            System.exit(2);
        }
        EngineConfig config = EngineConfig.builder(model)
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
        } catch (ModelLoadException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
