package dev.chatserver.cli;

import dev.chatserver.engine.EngineInfo;
import dev.chatserver.server.ConnectionMode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one line {@code server} logs once it serves: what runs and where, e.g. {@code serving stories260K (llama,
 * 292.1 K parameters): 2048 tokens of context per conversation, 4 parallel slots, 2 threads, backend CPU (SSE3 AVX
 * AVX2 F16C FMA), mode virtual, TCP 127.0.0.1:12345, web http://127.0.0.1:5175/}.
 *
 * @param info    what the engine serves (model facts and the context it really gives each conversation)
 * @param threads decode threads
 * @param backend llama.cpp's system information ({@link dev.chatserver.llama.Llama#systemInfo()})
 * @param mode    the TCP server's connection mode
 * @param tcp     the TCP server's address, {@code host:port}
 * @param web     the chat page's address, or null without the web server
 */
record StartupSummary(EngineInfo info, int threads, String backend, ConnectionMode mode, String tcp, URI web) {

    /** One backend of llama.cpp's system information: {@code NAME : FEATURE = 1 | FEATURE = 0 | ...}. */
    private static final Pattern FEATURE = Pattern.compile("([A-Za-z0-9_]+) = 1");

    /** @return the line */
    String line() {
        return "serving " + info.modelName() + " (" + info.architecture() + ", "
                + HumanUnits.count(info.parameters()) + " parameters): "
                + info.contextPerSession() + " tokens of context per conversation, "
                + info.parallel() + " parallel slot" + (info.parallel() == 1 ? "" : "s") + ", "
                + threads + " thread" + (threads == 1 ? "" : "s") + ", "
                + "backend " + backends(backend) + ", "
                + "mode " + mode.name().toLowerCase(Locale.ROOT) + ", "
                + "TCP " + tcp + ", web " + (web == null ? "off" : web.toString());
    }

    /**
     * Condenses llama.cpp's system information to the backends and the features they use.
     *
     * @param systemInfo e.g. {@code CPU : SSE3 = 1 | AVX = 1 | AVX512 = 0 | } (one or more backends)
     * @return e.g. {@code CPU (SSE3 AVX)}; the text as given when it has no recognisable backend
     */
    static String backends(String systemInfo) {
        List<String> parts = new ArrayList<>();
        // Backends are "NAME : features" sections; the name is the last word before each " : ".
        String[] sections = systemInfo.split(" : ", -1);
        for (int i = 0; i + 1 < sections.length; i++) {
            String before = sections[i].trim();
            String name = before.substring(Math.max(before.lastIndexOf('|'), before.lastIndexOf(' ')) + 1).trim();
            String features = sections[i + 1];
            // The next section's name sits at the end of this section's features: cut it off.
            if (i + 2 < sections.length) {
                int cut = Math.max(features.lastIndexOf('|'), 0);
                features = features.substring(0, cut);
            }
            List<String> on = new ArrayList<>();
            Matcher m = FEATURE.matcher(features);
            while (m.find()) on.add(m.group(1));
            parts.add(on.isEmpty() ? name : name + " (" + String.join(" ", on) + ")");
        }
        return parts.isEmpty() ? systemInfo.trim() : String.join(", ", parts);
    }
}
