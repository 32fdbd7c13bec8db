package dev.chatserver.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The thread-per-connection server ({@link ConnectionMode#VIRTUAL} or {@link ConnectionMode#PLATFORM}): one
 * platform accept thread; each accepted connection gets its own thread running a {@link BlockingConnection}.
 *
 * <p>An idle connection's thread ends as soon as its client closes: the read returns the end of input, the
 * conversation and the socket close and the thread returns, with nothing on the way that waits, polls or lingers
 * (ConnectionThreadReleaseTest: 3,000 idle connections closed together leave no thread and next to no CPU use behind
 * within 2 s, in every mode). In {@link ConnectionMode#PLATFORM} the kernel threads outlive their Java code for a
 * while, which is the JVM's teardown, not ours: for each platform thread that ends, HotSpot scans every live thread
 * (its thread list and their hazard pointers) under a global lock, so n threads ending together cost it time in
 * proportion to n² on about one core. Measured on a 2-core machine under load: 3,000 are gone within about half a
 * second of the last close; 10,000 (clients in another process) 4 to 10 s after the first close, with 5 to 11 s of
 * CPU, nearly all of it the JVM's: 9,000 bare JDK threads blocked in socket reads and closed together cost as
 * much. It is the mode's price, like its kernel thread per connection: serve many thousands of
 * connections in {@link ConnectionMode#VIRTUAL} or {@link ConnectionMode#SELECTOR}, or give {@code PLATFORM} a
 * {@link ServerLimits#maxConnections()} of a few thousand.
 */
final class BlockingChatServer implements ChatServer {

    private static final System.Logger LOG = ServerContext.LOG;

    private final ServerContext context;
    private final ServerSocket listener;
    private final ConnectionMode mode;
    private final String host;
    private final Thread.Builder connectionThreads;
    private final Set<BlockingConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread acceptor;
    /** The accept thread's handling of failed accepts. */
    private final AcceptFailures acceptFailures = new AcceptFailures(this::acceptWaiting);
    /** Closes connections whose write waits beyond the write timeout; a virtual thread. */
    private final Thread writeWatch;
    private volatile boolean closing;

    private BlockingChatServer(ServerContext context, ServerSocket listener, String host, ConnectionMode mode) {
        this.context = context;
        this.listener = listener;
        this.host = host;
        this.mode = mode;
        this.connectionThreads = mode == ConnectionMode.VIRTUAL ? Thread.ofVirtual() : Thread.ofPlatform();
        this.acceptor = Thread.ofPlatform().name("chat-accept-" + listener.getLocalPort()).unstarted(this::acceptLoop);
        this.writeWatch = Thread.ofVirtual().name("chat-write-watch-" + listener.getLocalPort())
                .unstarted(this::watchWrites);
    }

    static ChatServer start(ServerContext context, String host, int port, ConnectionMode mode) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(host, port), ServerContext.BACKLOG);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        BlockingChatServer server = new BlockingChatServer(context, listener, host, mode);
        server.acceptor.start();
        server.writeWatch.start();
        return server;
    }

    /** The write watch: checks every connection's write a few times per timeout, at most once a second. */
    private void watchWrites() {
        long period = Math.clamp(context.limits.writeTimeout().toMillis() / 4, 10, 1000);
        while (!closing) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (BlockingConnection connection : open) connection.checkWrite(now);
        }
    }

    /** The accept thread. */
    private void acceptLoop() {
        try {
            while (!closing) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException e) {
                    if (closing) return;
                    acceptFailures.failed(e);
                    pauseAfterAcceptFailure();
                    continue;
                }
                admit(socket);
            }
        } finally {
            acceptFailures.close();
        }
    }

    private void admit(Socket socket) {
        if (!context.slots.tryAcquire()) {
            context.refuse(socket);
            return;
        }
        BlockingConnection connection;
        try {
            connection = new BlockingConnection(context.nextId(), socket, context);
        } catch (IOException | RuntimeException e) {
            context.abandon(socket, e);
            return;
        }
        open.add(connection);
        try {
            connection.start(connectionThreads, () -> open.remove(connection));
        } catch (RuntimeException | OutOfMemoryError e) {
            // The thread never ran, so its finally will not give the slot back.
            open.remove(connection);
            connection.conversation().close();
            connection.closeSocket("no thread");
            context.slots.release();
            LOG.log(Level.WARNING, "could not start a connection thread: {0}", e.toString());
        }
    }

    /** Accept thread: accepts a client already waiting (within a moment), to be refused; null if none. */
    private Socket acceptWaiting() throws IOException {
        listener.setSoTimeout(50);
        try {
            return listener.accept();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            listener.setSoTimeout(0);
        }
    }

    /** Keeps a persistent accept failure (e.g. out of file descriptors) from spinning a core. */
    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(AcceptFailures.PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public ConnectionMode mode() {
        return mode;
    }

    @Override
    public int connections() {
        return open.size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        closing = true;
        writeWatch.interrupt();
        context.untrack();
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the listener failed: {0}", e.getMessage());
        }
        boolean interrupted = false;
        try {
            acceptor.join(Duration.ofMillis(500));
            List<BlockingConnection> connections = List.copyOf(open);
            ServerContext.endAnswers(connections.stream().map(BlockingConnection::conversation).toList());
            connections.forEach(c -> c.closeSocket("server shutting down"));
            long joinEnd = System.nanoTime() + ServerContext.SHUTDOWN_JOIN.toNanos();
            for (BlockingConnection c : connections) {
                if (!c.join(ServerContext.until(joinEnd))) c.interrupt();
            }
        } catch (InterruptedException e) {
            interrupted = true;
            List.copyOf(open).forEach(c -> {
                c.closeSocket("server shutting down");
                c.interrupt();
            });
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
