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
 * <p>A press that quits closes the connection when an answer is being read (that ends the read), and interrupts
 * the main thread when it is between answers (that ends a prompt being set up or read, as JLine's own Ctrl-C
 * handling does); the main thread clears its interrupt status before it restores the terminal.
 *
 * <p>Owns this state: the client's main thread marks where prompts and answers start and end, and asks whether to
 * quit; the signal-handling thread reports presses. Methods are synchronized; network calls happen outside the lock.
 */
final class ClientInterrupts {

    /** How soon after a cancelling press another press still counts as the second one. */
    static final Duration SECOND_PRESS_WINDOW = Duration.ofSeconds(2);

    /** Where the main thread is. */
    private enum Phase {
        /** Between the end of an answer (or the start) and an accepted line: showing or reading the prompt. */
        PROMPTING,
        /** A line was accepted and is being sent; its answer is not read yet. */
        SENDING,
        /** Reading an answer from {@link #answering}. */
        ANSWERING
    }

    /** The client's main thread, interrupted by a press that quits between answers. */
    private final Thread mainThread;
    private Phase phase = Phase.PROMPTING;
    /** The connection whose answer is streaming; set while {@link Phase#ANSWERING}. */
    private ServerConnection answering;
    private boolean answerCancelled;
    /** A press while {@link Phase#SENDING}: it cancels the answer as soon as it starts. */
    private boolean pendingPress;
    /** {@link System#nanoTime()} of the last press that cancelled an answer; valid when {@link #everCancelled}. */
    private long lastCancelNanos;
    private boolean everCancelled;
    private boolean quit;

    /** @param mainThread the thread that runs the conversation (the caller's) */
    ClientInterrupts(Thread mainThread) {
        this.mainThread = mainThread;
    }

    /**
     * The next prompt is about to be read. Main thread.
     *
     * @return whether a press asked the client to quit
     */
    synchronized boolean beforePrompt() {
        phase = Phase.PROMPTING;
        pendingPress = false;
        return quit;
    }

    /**
     * A line was accepted and is about to be sent. Main thread.
     *
     * @param pressedOnAccept whether a Ctrl-C came as the line was accepted (the console saw it)
     * @return whether a press asked the client to quit
     */
    synchronized boolean lineAccepted(boolean pressedOnAccept) {
        phase = Phase.SENDING;
        pendingPress = pressedOnAccept;
        return quit;
    }

    /**
     * The prompt was sent and its answer is about to be read: a press since the line was accepted cancels it now,
     * a quit closes the connection. Main thread.
     */
    void answerStarted(ServerConnection connection) {
        boolean cancel;
        boolean close;
        synchronized (this) {
            phase = Phase.ANSWERING;
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
        phase = Phase.PROMPTING;
        answering = null;
    }

    /** @return whether a press asked the client to quit */
    synchronized boolean quitRequested() {
        return quit;
    }

    /** @return whether the answer being read was cancelled by a press: its later text is not shown */
    synchronized boolean answerCancelled() {
        return phase == Phase.ANSWERING && answerCancelled;
    }

    /** @return whether the main thread shows or reads the prompt (no line accepted, no answer read) */
    synchronized boolean atPrompt() {
        return phase == Phase.PROMPTING;
    }

    /** One Ctrl-C. Runs on the signal-handling thread. */
    void pressed() {
        ServerConnection connection = null;
        boolean cancel = false;
        boolean close = false;
        synchronized (this) {
            if (quit) {
                return; // already on the way out
            }
            switch (phase) {
                case ANSWERING -> {
                    connection = answering;
                    if (answerCancelled) {
                        quit = true;
                        close = true; // closing the connection ends the main thread's read of the answer
                    } else {
                        answerCancelled = true;
                        cancelled();
                        cancel = true;
                    }
                }
                case SENDING -> {
                    if (pendingPress) {
                        quit = true; // answerStarted closes the connection
                    } else {
                        pendingPress = true;
                    }
                }
                case PROMPTING -> {
                    if (everCancelled && System.nanoTime() - lastCancelNanos < SECOND_PRESS_WINDOW.toNanos()) {
                        quit = true;
                        mainThread.interrupt();
                    }
                    // Otherwise dropped: the answer it was meant for has ended and the prompt comes next.
                }
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
            return;
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
