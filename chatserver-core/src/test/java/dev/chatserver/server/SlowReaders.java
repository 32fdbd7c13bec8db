package dev.chatserver.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Clients that send prompts and never read: their socket buffers are small, so the server's writes soon block. */
final class SlowReaders {

    private SlowReaders() {
    }

    /** @return a connected socket with a small receive buffer, which its owner never reads */
    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(1024); // before connecting: it sets the window the server may fill (the
        // kernel raises it to its minimum, about 2 KiB)
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return socket;
    }

    /** Sends that many prompts at once, each asking for a long answer. */
    static void pipeline(Socket socket, int prompts) throws IOException {
        String prompt = "{\"token\":\"Tell me a long story about a dragon.\",\"eog\":true}";
        socket.getOutputStream().write(prompt.repeat(prompts).getBytes(StandardCharsets.UTF_8));
    }
}
