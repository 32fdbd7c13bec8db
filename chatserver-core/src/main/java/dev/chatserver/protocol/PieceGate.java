package dev.chatserver.protocol;

/**
 * Passes the pieces of one answer to the outbound until the answer's end message went out; pieces that the engine
 * delivers after that (a cancelled reply's last ones) are dropped, so the client never sees text after an end.
 *
 * <p>Called by the reply's delivery thread ({@link #piece}) and the conversation's answer thread ({@link #end},
 * {@link #close}); the monitor orders them.
 */
final class PieceGate {

    private final Outbound outbound;
    private boolean open = true;

    PieceGate(Outbound outbound) {
        this.outbound = outbound;
    }

    synchronized void piece(String text) {
        if (open) outbound.send(new ServerMessage.Piece(text));
    }

    synchronized void end(ServerMessage.End end) {
        if (!open) return;
        open = false;
        outbound.send(end);
    }

    synchronized void close() {
        open = false;
    }
}
