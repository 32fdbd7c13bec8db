package dev.chatserver.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code chatserver client}: chats with a server over TCP. */
@Command(name = "client", mixinStandardHelpOptions = true, description = "Chat with a server over TCP.")
final class ClientCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        throw CommandFailure.runtime("client is not available in this build", null);
    }
}
