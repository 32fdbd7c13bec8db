package dev.chatserver.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code chatserver server}: serves a model over TCP and WebSocket. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Serve a model over TCP and WebSocket.")
final class ServerCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        throw CommandFailure.runtime("server is not available in this build", null);
    }
}
