package dev.chatserver.cli;

import java.io.IOException;
import java.time.Duration;

/**
 * What Ctrl-C means to the client at each moment. During an answer the first press cancels it and the second
 * quits. A press after a line was accepted but before its answer started counts as a press during that answer.
 * Between the end of an answer and the next prompt a press quits when it comes within
 * {@link #SECOND_PRESS_WINDOW} of a press that cancelled (two quick presses often land on both sides of the end of
 * the answer the first one cancelled), and is dropped otherwise (the prompt comes next). At the prompt the console
 * handles Ctrl-C itself (it quits).
 *
 * <p>Owns this state: the client's main thread marks where prompts and answers start and end, and asks whether to
 * quit; the signal-handling thread reports presses. Methods are synchronized; network calls happen outside the lock.
 */
final class ClientInterrupts {

    /** How soon after a cancelling press another press still counts as the second one. */
    static final Duration SECOND_PRESS_WINDOW = Duration.ofSeconds(2);

    /** The connection whose answer is streaming, or null between answers. */
    private ServerConnection answering;
    private boolean answerCancelled;
    /** A press between answers that is kept for the next answer (or dropped when the next prompt shows). */
    private boolean pendingPress;
    /** {@link System#nanoTime()} of the last press that cancelled an answer; valid when {@link #everCancelled}. */
    private long lastCancelNanos;
    private boolean everCancelled;
    private boolean quit;

    /**
     * The next prompt is about to be read; an earlier press that did not quit is dropped. Main thread.
     *
     * @return whether a press asked the client to quit
     */
    synchronized boolean beforePrompt() {
        pendingPress = false;
        return quit;
    }

    /**
     * The prompt was sent and its answer is about to be read: a press since the prompt was accepted cancels it
     * now. Main thread.
     */
    void answerStarted(ServerConnection connection) {
        boolean cancel;
        boolean close;
        synchronized (this) {
            answering = connection;
            cancel = pendingPress;
            close = quit;
            answerCancelled = cancel;
            pendingPress = false;
            if (cancel) {
                cancelled();
            }
        }
        act(connection, cancel, close);
    }

    /** The answer ended (or its connection failed). Main thread. */
    synchronized void answerEnded() {
        answering = null;
    }

    /** @return whether a press came since {@link #beforePrompt} (or asked the client to quit) */
    synchronized boolean pressedSincePrompt() {
        return pendingPress || quit;
    }

    /** @return whether a press asked the client to quit */
    synchronized boolean quitRequested() {
        return quit;
    }

    /** One Ctrl-C. Runs on the signal-handling thread. */
    void pressed() {
        ServerConnection connection;
        boolean cancel = false;
        boolean close = false;
        synchronized (this) {
            connection = answering;
            if (answering != null && !answerCancelled) {
                answerCancelled = true;
                cancelled();
                cancel = true;
            } else if (answering != null || pendingPress
                    || everCancelled && System.nanoTime() - lastCancelNanos < SECOND_PRESS_WINDOW.toNanos()) {
                quit = true;
                close = true; // closing the connection ends the main thread's read of an answer
            } else {
                pendingPress = true;
            }
        }
        act(connection, cancel, close);
    }

    private void cancelled() {
        everCancelled = true;
        lastCancelNanos = System.nanoTime();
    }

    private static void act(ServerConnection connection, boolean cancel, boolean close) {
        if (connection == null) {
            return; // between answers: the main thread sees the quit before the next prompt
        }
        try {
            if (cancel) {
                connection.cancel();
            }
            if (close) {
                connection.close();
            }
        } catch (IOException e) {
            // The connection is already broken; the main thread's read reports it.
        }
    }
}
