package dev.chatserver.protocol;

import dev.chatserver.engine.ChatEngine;
import java.time.Duration;

/**
 * The protocol logic of one connection, whatever carries it (TCP, WebSocket): it owns one engine session (opened
 * on creation, closed on {@link #close()}), joins {@code "eog": false} parts into one prompt, answers prompts
 * strictly in order (one that arrives while an answer streams waits for it), cancels on request (the answer in
 * progress, or the next one when none has started), and turns every
 * failure into one end message with an {@code "error"}.
 *
 * <p>Each answer is awaited on a virtual thread of the conversation, which waits at once for the reply's completion
 * (its text streams meanwhile) and for the connection going away, a cancel message or shutdown; a stop that comes
 * first cancels the reply. So a client that leaves stops its answer at once, also while the answer is queued in the
 * engine or its prompt is being decoded. No thread is held while nothing is asked.
 *
 * <p>{@link #receive}, {@link #reject} and {@link #receiveJson} are called by the transport's reader (one thread at
 * a time) and never block, so a selector thread may call them. {@link #close()} and {@link #shutdown} may be called
 * from any thread.
 */
public interface Conversation extends AutoCloseable {

    /** The error of answers ended by {@link #shutdown}. */
    String SHUTTING_DOWN = "server shutting down";

    /**
     * The error a connection over a server's connection limit gets, TCP and WebSocket alike, before it is closed
     * (no conversation is opened for it).
     */
    String TOO_MANY_CONNECTIONS = "too many connections";

    /**
     * Opens a conversation with default limits.
     *
     * @param engine   serves the answers
     * @param outbound receives the messages for the client
     * @return a conversation with a new engine session
     */
    static Conversation open(ChatEngine engine, Outbound outbound) {
        return open(engine, outbound, ConversationLimits.DEFAULTS);
    }

    /**
     * Opens a conversation.
     *
     * @param engine   serves the answers
     * @param outbound receives the messages for the client
     * @param limits   bounds on prompts
     * @return a conversation with a new engine session
     */
    static Conversation open(ChatEngine engine, Outbound outbound, ConversationLimits limits) {
        return new EngineConversation(engine.openSession(), outbound, limits, engine.metrics());
    }

    /** @return the engine session's id, for log lines */
    String sessionId();

    /**
     * Handles one decoded client message.
     *
     * @param message a prompt (part) or a cancel
     * @throws ProtocolException a fatal problem ({@link ProtocolException.Kind#TOO_LARGE} for a joined prompt over
     *                           the limit, {@link ProtocolException.Kind#TOO_MANY_PENDING}): the transport sends
     *                           the error and closes the connection
     */
    void receive(ClientMessage message) throws ProtocolException;

    /**
     * Decodes one JSON object and handles it; a malformed one is answered with an error end message in turn.
     *
     * @param json the text of one JSON object
     * @throws ProtocolException a fatal problem, as for {@link #receive}
     */
    void receiveJson(String json) throws ProtocolException;

    /**
     * Answers bad input that the connection survives with an error end message, in order with the answers.
     *
     * @param problem what was wrong with the input
     * @throws ProtocolException {@link ProtocolException.Kind#TOO_MANY_PENDING} when too many requests wait
     */
    void reject(ProtocolException problem) throws ProtocolException;

    /**
     * A sink for a {@link JsonObjectStream} fed with this connection's bytes: objects go to {@link #receiveJson},
     * skipped input to {@link #reject}.
     *
     * @return the sink
     */
    default JsonObjectStream.Sink sink() {
        Conversation conversation = this;
        return new JsonObjectStream.Sink() {
            @Override
            public void onObject(String json) throws ProtocolException {
                conversation.receiveJson(json);
            }

            @Override
            public void onMalformed(ProtocolException problem) throws ProtocolException {
                conversation.reject(problem);
            }
        };
    }

    /** @return true while an answer streams or requests wait */
    boolean isBusy();

    /**
     * Ends the answer in progress and every waiting prompt with an end message carrying
     * {@code "error": "server shutting down"}, as it does every prompt that arrives from now on. Returns at once; see
     * {@link #awaitIdle}.
     */
    void shutdown();

    /**
     * Waits until no answer streams and nothing waits (their end messages were handed to the outbound).
     *
     * @param timeout how long at most
     * @return true when idle
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    /**
     * The connection is gone: stops the answer in progress without another message, forgets waiting prompts and
     * closes the engine session (freeing its KV cache). Closing twice is harmless.
     */
    @Override
    void close();
}
