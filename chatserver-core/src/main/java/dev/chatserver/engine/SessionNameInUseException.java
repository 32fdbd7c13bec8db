package dev.chatserver.engine;

/** Thrown by {@link ChatEngine#openSession(String)} when an open session already has that name. */
public final class SessionNameInUseException extends IllegalArgumentException {

    /**
     * Creates the exception.
     *
     * @param name the name in use
     */
    public SessionNameInUseException(String name) {
        super("a session named '" + name + "' is already open");
    }
}
