package dev.chatserver.openai;

import dev.chatserver.engine.Completion;
import dev.chatserver.engine.FinishReason;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * Turns one engine reply into the HTTP response of a chat completion: collected into one JSON object, or streamed
 * as server-sent events ({@code data: <chunk>} per piece, then {@code data: [DONE]}).
 *
 * <p>Threads: {@link #onText} and {@link #onComplete} run on the reply's delivery thread, which alone writes a
 * stream; {@link #attach} and {@link #respond} run on the request's thread, {@code respond} only after the reply
 * completed (the engine's {@link Reply#await} orders the two). A write that fails (the client went away) throws from
 * {@code onText}, which cancels the reply: its slot is free at the next decode step.
 */
final class AnswerListener implements ReplyListener {

    private static final System.Logger LOG = System.getLogger(AnswerListener.class.getName());
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChatRequest request;
    private final Chunks chunks;
    private final ServerResponse res;
    private final StopScanner stops;
    /** The whole answer, when not streaming. */
    private final StringBuilder text = new StringBuilder();
    private volatile Reply reply;
    private volatile boolean stopHit;
    /** The event stream once its headers went out; null before (an error can still be a status then). */
    private OutputStream out;
    private boolean broken;

    AnswerListener(ChatRequest request, Chunks chunks, ServerResponse res) {
        this.request = request;
        this.chunks = chunks;
        this.res = res;
        this.stops = new StopScanner(request.stops());
    }

    /** @param reply the reply this listener receives; cancelled at once if a stop string came first */
    void attach(Reply reply) {
        this.reply = reply;
        if (stopHit) reply.cancel();
    }

    @Override
    public void onText(String piece) {
        String released = stops.feed(piece);
        if (stops.stopped() && !stopHit) {
            stopHit = true;
            Reply r = reply;
            if (r != null) r.cancel();
        }
        if (released.isEmpty()) return;
        if (request.stream()) event(chunks.textChunk(released, request.includeUsage()));
        else text.append(released);
    }

    @Override
    public void onComplete(Completion completion) {
        if (!succeeded(completion)) {
            if (out != null && !broken) {
                quietly(() -> event(error(completion).json()));
                quietly(this::done);
            }
            return;
        }
        String rest = stops.finish();
        if (!request.stream()) {
            text.append(rest);
            return;
        }
        quietly(() -> {
            if (!rest.isEmpty()) event(chunks.textChunk(rest, request.includeUsage()));
            if (out == null) start();
            event(chunks.finishChunk(Chunks.finishReason(completion, stopHit), request.includeUsage()));
            if (request.includeUsage()) event(chunks.usageChunk(completion.stats()));
            done();
        });
    }

    /**
     * Finishes the response on the request's thread, after the reply completed: closes the stream, or sends the JSON
     * answer or the error.
     */
    void respond(Completion completion) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "the client left before the end of the stream: {0}", e.getMessage());
            }
            return;
        }
        if (!succeeded(completion)) {
            if (!broken) error(completion).send(res);
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.send(chunks.completion(text.toString(), Chunks.finishReason(completion, stopHit), completion.stats()));
    }

    private boolean succeeded(Completion completion) {
        return completion.isSuccess() || completion.reason() == FinishReason.CANCELLED && stopHit;
    }

    private static ApiError error(Completion completion) {
        String message = completion.message();
        return switch (completion.reason()) {
            case BUSY -> ApiError.busy(message);
            case CONTEXT_FULL -> ApiError.contextLength(message);
            case CANCELLED -> ApiError.busy(message.isEmpty() ? "the request was cancelled" : message);
            default -> ApiError.server(message.isEmpty() ? "the answer failed" : message);
        };
    }

    /** Sends the headers of the event stream and the first chunk, with the role. */
    private void start() {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        out = res.outputStream();
        write(("data: " + chunks.roleChunk(request.includeUsage()) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one event and flushes it, so that it leaves at once. */
    private void event(String json) {
        if (out == null) start();
        write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private void done() {
        write(DONE);
    }

    private void write(byte[] bytes) {
        if (broken) throw new UncheckedIOException(new IOException("the client went away"));
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            broken = true;
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            // Helidon reports a connection the peer closed as its own ServerConnectionException.
            broken = true;
            throw new UncheckedIOException(new IOException("the client went away", e));
        }
    }

    /** Runs a write at the end of the reply, where a gone client is no error any more. */
    private void quietly(Runnable write) {
        try {
            write.run();
        } catch (UncheckedIOException e) {
            LOG.log(Level.DEBUG, "the client left at the end of the stream: {0}", e.getMessage());
        }
    }
}
