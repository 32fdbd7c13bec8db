package dev.chatserver.engine;

/** What other threads ask of the engine thread, through its command queue. */
sealed interface EngineCommand {

    /** @param reply a new reply to schedule */
    record Submit(ReplyHandle reply) implements EngineCommand {
    }

    /** @param reply a reply to stop, wherever it is */
    record Cancel(ReplyHandle reply) implements EngineCommand {
    }

    /** @param session a closed session whose reply, KV cache and history go away */
    record CloseSession(EngineSession session) implements EngineCommand {
    }

    /** Ends every reply and stops the engine thread. */
    record Shutdown() implements EngineCommand {
    }
}
