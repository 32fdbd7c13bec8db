package dev.chatserver.llama;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Run in a fresh JVM by {@link NativeLogTest}: loads the native library and a model, generates a few tokens, and
 * must not write a single byte to standard output or error, and must end by itself. A failure is an exception
 * (its trace on standard error and exit code 1 tell the test what went wrong).
 */
public final class QuietLoadMain {

    private QuietLoadMain() {
    }

    /** @param args the model file */
    public static void main(String[] args) {
        LogManager.getLogManager().reset(); // no console handler: llama.cpp's log only reaches our counter
        AtomicInteger records = new AtomicInteger();
        Logger nativeLog = Logger.getLogger(NativeLog.LOGGER_NAME);
        nativeLog.setLevel(Level.ALL);
        nativeLog.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.incrementAndGet();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        try (LlamaModel model = LlamaModel.load(Path.of(args[0]), ModelParams.defaults());
             LlamaContext ctx = model.newContext(ContextParams.of(128, 1, 1));
             Batch batch = Batch.create(32, 1);
             Sampler sampler = Sampler.greedy()) {
            if (Generation.generate(ctx, batch, sampler, "Hello there", 0, 8).isEmpty()) {
                throw new IllegalStateException("the model generated no token");
            }
        }
        // On success return normally: the JVM must also exit by itself (no native thread keeps it alive).
        if (records.get() == 0) throw new IllegalStateException("no llama.cpp log record reached the Java logger");
    }
}
