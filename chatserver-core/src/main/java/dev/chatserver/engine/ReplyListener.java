package dev.chatserver.engine;

/**
 * Receives one reply as it streams.
 *
 * <p>Runs on the reply's own delivery thread (a virtual thread), never on the engine thread. A listener may block:
 * then the reply's bounded buffer fills, and while it is full only that session pauses. A listener that throws
 * from {@link #onText} is taken as a receiver that went away: the reply is cancelled, no further pieces reach it,
 * and {@link #onComplete} is still called once.
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
