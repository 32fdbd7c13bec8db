package dev.chatserver.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Main class of the child process that holds the idle connections of {@link IdleConnectionBenchmark}: it opens
 * {@code count} TCP connections to the server, sends nothing, and keeps them open until its standard input closes
 * or its lifetime runs out, so it stops by itself even when its parent dies.
 * <p>
 * The clients live in their own process so that the server process spends its whole open-file limit on server
 * sockets (in one process every loopback connection would cost two descriptors) and so that the client side's
 * memory and threads do not count as the server's.
 * <p>
 * Protocol on standard output, one line each: {@code connecting}, {@code opened N} every 1000,
 * {@code failed N <reason>} when a connect fails (it stops opening then), and finally {@code ready N}.
 * <p>
 * Arguments: {@code host port count lifetimeSeconds}. Four platform threads open the connections; the main
 * thread waits; a virtual thread watches stdin.
 */
public final class IdleClientMain {

    /**
     * Connections per source address: loopback ephemeral ports are about 28000 per (source, destination) pair,
     * so above this many the client side binds to 127.0.0.2, 127.0.0.3, ... before connecting.
     */
    static final int PER_SOURCE_ADDRESS = 25_000;

    private static final int CONNECT_TIMEOUT_MS = 30_000;

    /** Threads that open connections in parallel. */
    private static final int CONNECTORS = 4;

    private IdleClientMain() {
    }

    /** Entry point of the child process; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: IdleClientMain host port count lifetimeSeconds");
            return;
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long lifetimeSeconds = Long.parseLong(args[3]);

        CountDownLatch release = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> awaitEndOfInput(System.in, release));

        // several connecting threads, so that the client side is not what limits the measured accept rate
        Socket[] sockets = new Socket[count];
        AtomicInteger opened = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        System.out.println("connecting");
        System.out.flush();
        List<Thread> connectors = new ArrayList<>();
        for (int t = 0; t < CONNECTORS; t++) {
            int first = t;
            connectors.add(Thread.ofPlatform().start(() -> {
                for (int i = first; i < count && failure.get() == null && release.getCount() > 0; i += CONNECTORS) {
                    try {
                        sockets[i] = connect(server, i);
                    } catch (IOException e) {
                        failure.compareAndSet(null, e.toString());
                        return;
                    }
                    int n = opened.incrementAndGet();
                    if (n % 1000 == 0) System.out.println("opened " + n);
                }
            }));
        }
        for (Thread t : connectors) t.join();
        if (failure.get() != null) System.out.println("failed " + opened.get() + " " + failure.get());
        System.out.println("ready " + opened.get());
        System.out.flush();

        release.await(lifetimeSeconds, TimeUnit.SECONDS);
        for (Socket s : sockets) {
            if (s == null) continue;
            try {
                s.close();
            } catch (IOException ignored) {
                // the server may have closed it first; nothing to release then
            }
        }
    }

    /** Opens connection number {@code index}, from 127.0.0.1 or, past {@link #PER_SOURCE_ADDRESS}, another one. */
    private static Socket connect(InetSocketAddress server, int index) throws IOException {
        Socket socket = new Socket();
        try {
            int source = index / PER_SOURCE_ADDRESS;
            if (source > 0) {
                socket.bind(new InetSocketAddress(InetAddress.getByAddress(
                        new byte[] {127, 0, (byte) (source / 250), (byte) (1 + source % 250)}), 0));
            }
            socket.connect(server, CONNECT_TIMEOUT_MS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void awaitEndOfInput(InputStream in, CountDownLatch release) {
        try {
            while (in.read() >= 0) {
                // the parent never writes; end of input is the signal
            }
        } catch (IOException ignored) {
            // a broken pipe means the parent is gone: release just the same
        }
        release.countDown();
    }
}
