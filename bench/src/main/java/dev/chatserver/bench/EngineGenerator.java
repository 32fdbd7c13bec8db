package dev.chatserver.bench;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import dev.chatserver.engine.Sampling;
import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.ModelParams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Our side of the benchmarks: a {@link ChatEngine} with one slot per concurrent session; each round opens fresh
 * sessions (empty history, so every round does the same work), sends the prompt in all of them at once and waits
 * for the replies. Prompt tokens are counted with the model's vocabulary loaded alone (no weights), formatted and
 * tokenized as the engine does for a message without control-token text; a round reports what the engine decoded
 * ({@code ReplyStats.promptTokens}). Runs on the JMH benchmark thread; listeners run on the engine's delivery
 * threads.
 */
final class EngineGenerator implements Generator {

    private static final Duration REPLY_TIMEOUT = Duration.ofMinutes(10);

    private final ChatEngine engine;
    private final Path model;
    private LlamaModel vocabulary;

    EngineGenerator(Path model, int sessions, int tokens, int threads, int contextPerSession,
                    boolean batchInvariant) {
        this.engine = ChatEngine.create(EngineConfig.builder(model)
                .parallel(sessions)
                .contextPerSession(contextPerSession)
                .threads(threads)
                .maxTokens(tokens)
                .sampling(Sampling.greedy())
                .batchInvariant(batchInvariant)
                .build());
        this.model = model;
    }

    @Override
    public int promptTokens(String userText) {
        if (vocabulary == null) vocabulary = LlamaModel.load(model, ModelParams.vocabularyOnly());
        // the engine's template tokenizer gives exactly these tokens when the text holds no control-token text
        String prompt = vocabulary.formatChat(List.of(new ChatMessage(ChatMessage.USER, userText)), true);
        return vocabulary.vocab().tokenize(prompt, true, true).length;
    }

    @Override
    public RoundResult round(int sessions, String userText) throws InterruptedException {
        List<ChatSession> open = new ArrayList<>();
        try {
            for (int i = 0; i < sessions; i++) open.add(engine.openSession());
            AtomicLongArray firstText = new AtomicLongArray(sessions);
            LongAdder pieces = new LongAdder();
            List<Reply> replies = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < sessions; i++) {
                int index = i;
                replies.add(open.get(i).send(userText, new ReplyListener() {
                    @Override
                    public void onText(String piece) {
                        firstText.compareAndSet(index, 0, System.nanoTime());
                        pieces.increment();
                    }

                    @Override
                    public void onComplete(Completion completion) {
                        // awaited below through the Reply
                    }
                }));
            }
            long tokens = 0;
            long promptTokens = 0;
            for (Reply reply : replies) {
                Optional<Completion> done = reply.await(REPLY_TIMEOUT);
                Completion completion = done.orElseThrow(() ->
                        new IllegalStateException("reply did not finish within " + REPLY_TIMEOUT));
                if (!completion.isSuccess()) {
                    throw new IllegalStateException("reply failed: " + completion.reason() + " " + completion.message());
                }
                tokens += completion.stats().generatedTokens();
                promptTokens += completion.stats().promptTokens();
            }
            long end = System.nanoTime();
            long ttftSum = 0;
            for (int i = 0; i < sessions; i++) {
                long first = firstText.get(i);
                ttftSum += (first == 0 ? end : first) - start;
            }
            return new RoundResult(sessions, tokens, pieces.sum(), ttftSum, end - start, promptTokens);
        } finally {
            open.forEach(ChatSession::close);
        }
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            if (vocabulary != null) vocabulary.close();
        }
    }
}
