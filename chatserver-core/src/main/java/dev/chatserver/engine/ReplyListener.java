package dev.chatserver.engine;

/**
 * Receives one reply as it streams.
 *
 * <p>Runs on the reply's own delivery thread (a virtual thread), never on the engine thread. A listener may block:
 * then the reply's bounded buffer fills, and while it is full only that session pauses. A listener that throws
 * from {@link #onText} is taken as a receiver that went away: the reply is cancelled, no further pieces reach it,
 * and {@link #onComplete} is still called once.
 *
 * <p>The engine takes a reply whose {@code onComplete} has returned for one its client has. While it has not, for
 * ten times {@link EngineConfig#pausedReplyGrace()}, the client is taken to have stopped reading: its session's cache
 * is evicted (to be decoded again from its history if it goes on), as other sessions' decoding would otherwise attend
 * over it. A listener that hands the end on to another thread should therefore return only once the end is out.
 */
public interface ReplyListener {

    /**
     * A piece of the answer: one or more whole UTF-8 characters (a token that ends inside a character is held
     * until the character completes).
     *
     * @param piece the text, never empty
     */
    void onText(String piece);

    /**
     * The end of the reply; called exactly once, after the last {@link #onText}.
     *
     * @param completion why and how it ended
     */
    void onComplete(Completion completion);
}
