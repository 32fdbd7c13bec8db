package dev.chatserver.server;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A server for a child JVM started under a small descriptor limit ({@code ulimit -n}) by
 * {@link AcceptUnderDescriptorLimitTest}: prints {@code port P fds F} (F: descriptors open once it runs), serves
 * until its standard input ends, then closes.
 */
public final class FdLimitedServer {

    private FdLimitedServer() {
    }

    /** @param args connection mode, model file */
    public static void main(String[] args) throws IOException {
        ConnectionMode mode = ConnectionMode.valueOf(args[0]);
        EngineConfig config = EngineConfig.builder(Path.of(args[1])).parallel(2).contextPerSession(512).maxTokens(24)
                .threads(1).batchSize(128).build();
        try (ChatEngine engine = ChatEngine.create(config);
             ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start()) {
            long fds;
            try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
                fds = open.count();
            }
            System.out.println("port " + server.port() + " fds " + fds);
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
