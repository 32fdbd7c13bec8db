package dev.chatserver.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The anchor of the throughput benchmark: llama.cpp's own server loop (slots, continuous batching) as shipped in
 * the same native library, driven through its JNI API with {@code setParallel(sessions)} and one platform thread
 * per concurrent completion (its receive call blocks in native code, so virtual threads would only pin).
 * It ignores end-of-generation so that every reply is exactly {@code tokens} long. Its server tokenizes a prompt
 * with special tokens and the model's beginning-of-sequence token, which {@code encode} leaves out: the prompt
 * tokens are {@code encode}'s count plus that token when the model wants it ({@link ModelFacts#addsBos()}); with
 * prompt caching off that is what every reply decodes (the server does not report it).
 * Runs on the JMH benchmark thread plus one short-lived platform thread per reply and round.
 * <p>
 * Its native worker thread is non-daemon and survives {@link #close()}: the JMH fork is ended by JMH's shutdown
 * timeout ({@code -Djmh.shutdownTimeout}), see {@link BenchMain}.
 */
final class LlamaServerGenerator implements Generator {

    private final LlamaModel model;
    private final int tokens;
    private final int bos;

    LlamaServerGenerator(Path modelFile, int sessions, int tokens, int threads, int contextPerSession) {
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        // the server splits its context evenly over the slots: give each slot what our engine gives a session
        this.model = new LlamaModel(new ModelParameters()
                .setModel(modelFile.toString())
                .setParallel(sessions)
                .setCtxSize(contextPerSession * sessions)
                .setThreads(threads)
                .setThreadsBatch(threads)
                .setGpuLayers(0)
                .setTemp(0)
                .disableLog());
        this.tokens = tokens;
        this.bos = ModelFacts.of(modelFile).addsBos() ? 1 : 0;
    }

    @Override
    public int promptTokens(String userText) {
        return model.encode(chatMl(userText)).length + bos;
    }

    /** The ChatML prompt our engine builds for a single user message (the synthetic models use ChatML). */
    static String chatMl(String userText) {
        return "<|im_start|>user\n" + userText + "<|im_end|>\n<|im_start|>assistant\n";
    }

    @Override
    public RoundResult round(int sessions, String userText) throws InterruptedException {
        String prompt = chatMl(userText);
        AtomicLongArray firstText = new AtomicLongArray(sessions);
        LongAdder pieces = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < sessions; i++) {
            int index = i;
            threads.add(Thread.ofPlatform().name("anchor-completion-" + i).start(() -> {
                try {
                    InferenceParameters params = new InferenceParameters(prompt)
                            .setNPredict(tokens)
                            .setTemperature(0)
                            .setIgnoreEos(true)
                            .setCachePrompt(false);
                    LlamaIterator it = model.generate(params).iterator();
                    while (it.hasNext()) {
                        LlamaOutput out = it.next();
                        if (!out.text.isEmpty()) {
                            firstText.compareAndSet(index, 0, System.nanoTime());
                            pieces.increment();
                        }
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        long end = System.nanoTime();
        if (failure.get() != null) throw new IllegalStateException("anchor completion failed", failure.get());
        long ttftSum = 0;
        for (int i = 0; i < sessions; i++) {
            long first = firstText.get(i);
            ttftSum += (first == 0 ? end : first) - start;
        }
        // n_predict with ignore-eos: the server stops each reply after exactly `tokens` tokens
        return new RoundResult(sessions, (long) tokens * sessions, pieces.sum(), ttftSum, end - start,
                (long) promptTokens(userText) * sessions);
    }

    @Override
    public void close() {
        model.close();
    }
}
