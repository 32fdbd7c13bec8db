package dev.chatserver.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The {@link ConnectionMode#SELECTOR} server: one platform thread runs a {@link Selector} for the listening socket
 * and every connection (non-blocking I/O, no thread per connection, like the SocketLab's epoll server). Answers are
 * produced on the engine's delivery threads, which queue their bytes on the connection and wake the selector.
 */
final class SelectorChatServer implements ChatServer {

    private static final System.Logger LOG = ServerContext.LOG;
    /** How often the selector wakes to check idle and lingering connections. */
    private static final long TICK_MILLIS = 250;

    private final ServerContext context;
    private final String host;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final int port;
    private final Set<SelectorConnection> open = ConcurrentHashMap.newKeySet();
    /** Connections whose outbound queue went from empty to non-empty; drained by the selector thread. */
    private final ConcurrentLinkedQueue<SelectorConnection> wantWrite = new ConcurrentLinkedQueue<>();
    /** The direct buffer every read goes through; selector thread only. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(16 * 1024);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread loop;
    /** The selector thread's handling of failed accepts. */
    private final AcceptFailures acceptFailures = new AcceptFailures(this::acceptWaiting);
    /** The listener's key; its interest is off while accepting pauses. */
    private final SelectionKey acceptKey;
    /** Selector thread only: {@link System#nanoTime()} when a paused accept resumes; 0 when not paused. */
    private long acceptResume;
    private volatile boolean stopAccepting;
    private volatile boolean closeAll;

    private SelectorChatServer(ServerContext context, String host, Selector selector, ServerSocketChannel listener)
            throws IOException {
        this.context = context;
        this.host = host;
        this.selector = selector;
        this.listener = listener;
        this.port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        this.acceptKey = listener.keyFor(selector);
        this.loop = Thread.ofPlatform().name("chat-selector-" + port).unstarted(this::run);
    }

    static ChatServer start(ServerContext context, String host, int port) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(host, port), ServerContext.BACKLOG);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            listener.close();
            selector.close();
            throw e;
        }
        SelectorChatServer server = new SelectorChatServer(context, host, selector, listener);
        server.loop.start();
        return server;
    }

    /** Any thread: a connection has new output to write. */
    void wantsWrite(SelectorConnection connection) {
        wantWrite.add(connection);
        selector.wakeup();
    }

    /** Selector thread: a connection closed. */
    void forget(SelectorConnection connection) {
        open.remove(connection);
    }

    /** The selector thread. */
    private void run() {
        long nextTick = System.nanoTime();
        try {
            while (true) {
                selector.select(acceptResume != 0 ? AcceptFailures.PAUSE.toMillis() : TICK_MILLIS);
                if (acceptResume != 0 && System.nanoTime() - acceptResume >= 0 && acceptKey.isValid()) {
                    acceptResume = 0;
                    acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                }
                if (stopAccepting && listener.isOpen()) listener.close();
                SelectorConnection writer;
                while ((writer = wantWrite.poll()) != null) safely(writer, SelectorConnection::onWritable);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.attachment() instanceof SelectorConnection c) safely(c, ignored -> handle(key));
                    else handle(key);
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now + TICK_MILLIS * 1_000_000;
                    for (SelectorConnection c : List.copyOf(open)) safely(c, connection -> connection.checkTimers(now));
                }
                if (closeAll) {
                    for (SelectorConnection c : List.copyOf(open)) safely(c, SelectorConnection::closeWhenFlushed);
                    if (open.isEmpty() || Thread.currentThread().isInterrupted()) break;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "the selector loop failed", e);
        } finally {
            acceptFailures.close();
            for (SelectorConnection c : List.copyOf(open)) c.close("server stopped");
            try {
                listener.close();
                selector.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing the selector failed: {0}", e.getMessage());
            }
        }
    }

    /** Runs one connection's step; a surprise there closes that connection, not the selector loop. */
    private static void safely(SelectorConnection connection, Consumer<SelectorConnection> step) {
        try {
            step.accept(connection);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a connection failed on the selector thread", e);
            connection.close("failed: " + e);
        }
    }

    private void handle(SelectionKey key) {
        if (!key.isValid()) return;
        if (key.isAcceptable()) {
            acceptAll();
            return;
        }
        SelectorConnection connection = (SelectorConnection) key.attachment();
        if (key.isReadable()) connection.onReadable(readBuffer);
        if (key.isValid() && key.isWritable()) connection.onWritable();
    }

    private void acceptAll() {
        while (!stopAccepting) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                acceptFailures.failed(e);
                // Stop selecting the listener for a moment: it stays ready while clients wait, which would spin.
                acceptKey.interestOps(0);
                acceptResume = System.nanoTime() + AcceptFailures.PAUSE.toNanos();
                return;
            }
            if (channel == null) return;
            admit(channel);
        }
    }

    /** Selector thread: accepts a waiting client, to be refused; null if none. */
    private Socket acceptWaiting() throws IOException {
        SocketChannel channel = listener.accept();
        if (channel == null) return null;
        channel.configureBlocking(true);
        return channel.socket();
    }

    private void admit(SocketChannel channel) {
        if (!context.slots.tryAcquire()) {
            context.refuse(channel.socket());
            return;
        }
        SelectorConnection connection;
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, context.limits.sendBufferBytes());
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            connection = new SelectorConnection(context.nextId(), channel, key, this, context);
            key.attach(connection);
        } catch (IOException | RuntimeException e) {
            context.abandon(channel, e);
            return;
        }
        open.add(connection);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public ConnectionMode mode() {
        return ConnectionMode.SELECTOR;
    }

    @Override
    public int connections() {
        return open.size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        stopAccepting = true;
        context.untrack();
        selector.wakeup();
        boolean interrupted = false;
        try {
            ServerContext.endAnswers(open.stream().map(SelectorConnection::conversation).toList());
            closeAll = true;
            selector.wakeup();
            if (!loop.join(ServerContext.SHUTDOWN_JOIN)) {
                loop.interrupt();
                loop.join(Duration.ofMillis(500));
            }
        } catch (InterruptedException e) {
            interrupted = true;
            loop.interrupt();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
