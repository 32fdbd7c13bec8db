package dev.chatserver.cli;

import dev.chatserver.engine.EngineInfo;
import dev.chatserver.server.ConnectionMode;
import java.net.URI;
import java.util.Locale;

/**
 * The one line {@code server} logs once it serves: what runs and where, e.g. {@code serving stories260K (llama,
 * 292 K parameters): 2048 tokens of context per conversation, 4 parallel slots, 2 threads, llama.cpp v0.5.0, CPU
 * backend haswell, mode virtual, TCP 127.0.0.1:12345, web http://127.0.0.1:5175/}.
 *
 * @param info    what the engine serves: model facts, the context it really gives each conversation, the runtime
 * @param threads decode threads
 * @param mode    the TCP server's connection mode
 * @param tcp     the TCP server's address, {@code host:port}
 * @param web     the chat page's address, or null without the web server
 */
record StartupSummary(EngineInfo info, int threads, ConnectionMode mode, String tcp, URI web) {

    /** @return the line */
    String line() {
        return "serving " + info.modelName() + " (" + info.architecture() + ", "
                + HumanUnits.count(info.parameters()) + " parameters): "
                + info.contextPerSession() + " tokens of context per conversation, "
                + info.parallel() + " parallel slot" + (info.parallel() == 1 ? "" : "s") + ", "
                + threads + " thread" + (threads == 1 ? "" : "s") + ", "
                + info.runtime() + ", "
                + "mode " + mode.name().toLowerCase(Locale.ROOT) + ", "
                + "TCP " + tcp + ", web " + (web == null ? "off" : web.toString());
    }
}
