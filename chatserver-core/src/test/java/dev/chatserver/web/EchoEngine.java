package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineInfo;
import dev.chatserver.engine.EngineStats;
import dev.chatserver.engine.FinishReason;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import dev.chatserver.engine.ReplyStats;
import dev.chatserver.llama.ChatMessage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine whose answer to a message is the message itself, streamed a few characters at a time with a pause
 * between pieces, so that the page's tests control exactly what "the model" writes (Markdown, HTML, code) and see
 * it arrive in many pieces. A message starting with {@value #SILENT} streams nothing for a while, for a stop before
 * any text. The page does not know it from the real engine: it only sees the WebSocket protocol.
 *
 * <p>Each reply streams on a virtual thread of its own; everything else is thread-safe.
 */
final class EchoEngine implements ChatEngine {

    /** A message starting with this is answered with nothing at all for {@link #SILENCE}, then with the rest. */
    static final String SILENT = "(silent)";
    private static final Duration SILENCE = Duration.ofSeconds(30);

    private final int pieceChars;
    private final Duration pause;
    private final AtomicInteger sessions = new AtomicInteger();

    /**
     * @param pieceChars characters per piece
     * @param pause      pause before each piece
     */
    EchoEngine(int pieceChars, Duration pause) {
        this.pieceChars = pieceChars;
        this.pause = pause;
    }

    @Override
    public ChatSession openSession() {
        return openSession("echo-" + sessions.incrementAndGet());
    }

    @Override
    public ChatSession openSession(String name) {
        return new ChatSession() {
            @Override
            public String id() {
                return name;
            }

            @Override
            public Reply send(String text, ReplyListener listener) {
                return new EchoReply(text, listener);
            }

            @Override
            public List<ChatMessage> history() {
                return List.of();
            }

            @Override
            public void close() {
            }
        };
    }

    /** Echoes the last message's content, as a session would. */
    @Override
    public Reply complete(List<ChatMessage> messages, dev.chatserver.engine.RequestOptions options,
                          ReplyListener listener) {
        return new EchoReply(messages.getLast().content(), listener);
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("echo", "echo", 0, 4096, 1, 1024, "echo");
    }

    @Override
    public EngineStats stats() {
        return new EngineStats(0, 0, 0, 0);
    }

    @Override
    public void close() {
    }

    /** One answer in progress: its thread streams the pieces, {@link #cancel()} stops it before the next one. */
    private final class EchoReply implements Reply {

        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final CompletableFuture<Completion> done = new CompletableFuture<>();

        EchoReply(String text, ReplyListener listener) {
            Thread.ofVirtual().name("echo-reply").start(() -> {
                FinishReason reason = stream(text, listener);
                Completion completion = new Completion(reason, "", ReplyStats.NONE);
                listener.onComplete(completion);
                done.complete(completion);
            });
        }

        private FinishReason stream(String text, ReplyListener listener) {
            try {
                String answer = text;
                if (answer.startsWith(SILENT)) {
                    long end = System.nanoTime() + SILENCE.toNanos();
                    while (!cancelled.get() && System.nanoTime() < end) Thread.sleep(10);
                    answer = answer.substring(SILENT.length());
                }
                for (int i = 0; i < answer.length(); i += pieceChars) {
                    Thread.sleep(pause);
                    if (cancelled.get()) return FinishReason.CANCELLED;
                    listener.onText(answer.substring(i, Math.min(answer.length(), i + pieceChars)));
                }
                return cancelled.get() ? FinishReason.CANCELLED : FinishReason.END;
            } catch (InterruptedException e) {
                return FinishReason.CANCELLED;
            }
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        @Override
        public Completion await() throws InterruptedException {
            try {
                return done.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Optional<Completion> await(Duration timeout) throws InterruptedException {
            try {
                return Optional.of(done.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public ReplyStats stats() {
            return ReplyStats.NONE;
        }
    }
}
