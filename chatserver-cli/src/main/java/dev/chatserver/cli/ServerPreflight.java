package dev.chatserver.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.gguf.GgufFile;
import dev.chatserver.gguf.GgufFormatException;
import dev.chatserver.gguf.GgufReader;
import dev.chatserver.models.ByteSizes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What {@code server} checks before anything slow happens (a model download or load), so that a wrong option costs
 * one line and an exit code, named after the flag, and no native log line comes first: values and their ranges,
 * the host and both ports (probed by binding them for a moment), and, once the model file is there, whether its KV
 * cache fits this machine's memory. Stateless; runs on the main thread.
 */
final class ServerPreflight {

    /**
     * Most answers decoded together: llama.cpp's context holds at most 256 sequences, and the engine keeps one of
     * them for itself (the padding sequence).
     */
    static final int MAX_PARALLEL = 255;

    /** Bytes per cached key or value element: llama.cpp's KV cache is F16 by default. */
    private static final int KV_ELEMENT_BYTES = 2;

    private ServerPreflight() {
    }

    /**
     * @param flag  the option, e.g. {@code --ctx}
     * @param value its value, or null when not given
     * @throws CommandFailure (usage) when given and not positive
     */
    static void positive(String flag, Integer value) {
        if (value != null && value <= 0) throw CommandFailure.usage(flag + " must be positive, was " + value);
    }

    /**
     * @param flag  the option
     * @param value its value, or null when not given
     * @param min   smallest allowed value
     * @param max   largest allowed value
     * @param why   what the bounds come from, appended in parentheses; may be empty
     * @throws CommandFailure (usage) when given and outside {@code [min, max]}
     */
    static void between(String flag, Number value, double min, double max, String why) {
        if (value == null) return;
        double v = value.doubleValue();
        if (!(v >= min && v <= max)) {
            throw CommandFailure.usage(flag + " must be between " + plain(min) + " and " + plain(max)
                    + (why.isEmpty() ? "" : " (" + why + ")") + ", was " + value);
        }
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    /**
     * Resolves {@code --host} and probes that the ports can be bound there (a port of 0 is not probed).
     *
     * @param host    the {@code --host} value
     * @param port    the {@code --port} value
     * @param webPort the {@code --web-port} value, or -1 without the web server
     * @throws CommandFailure usage for an unknown host, an address of another machine or equal ports; runtime for a
     *                        port in use
     */
    static void checkAddresses(String host, int port, int webPort) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw CommandFailure.usage("--host " + host + ": unknown host (give a name this machine resolves, or an "
                    + "address such as 127.0.0.1)");
        }
        if (webPort >= 0 && webPort == port && port != 0) {
            throw CommandFailure.usage("--web-port must differ from --port (both are " + port + "); or --no-web");
        }
        probe(address, host, "--port", port);
        if (webPort >= 0) probe(address, host, "--web-port", webPort);
    }

    private static void probe(InetAddress address, String host, String flag, int port) {
        if (port == 0) return;
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);     // as the servers bind: a port in TIME_WAIT is free
            socket.bind(new InetSocketAddress(address, port));
        } catch (BindException e) {
            String reason = String.valueOf(e.getMessage());
            if (reason.contains("in use")) {
                throw CommandFailure.runtime("cannot listen on " + host + ":" + port + ": the port is in use "
                        + "(choose another " + flag + ", or 0 for a free one)", e);
            }
            if (reason.contains("assign")) {
                throw CommandFailure.usage("--host " + host + " is not an address of this machine");
            }
            throw CommandFailure.runtime("cannot listen on " + host + ":" + port + " (" + flag + "): " + reason, e);
        } catch (IOException e) {
            throw CommandFailure.runtime("cannot listen on " + host + ":" + port + " (" + flag + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Checks, from the model file's metadata alone, that the KV cache the options ask for (context per session,
     * capped to the model's training context as the engine does, times the sequences) and the model fit this
     * machine's memory. A file whose metadata cannot be read passes: loading it reports the problem.
     *
     * @param config the engine config the options give
     * @throws CommandFailure (usage) naming {@code --ctx} and {@code --parallel} when it does not fit
     */
    static void checkMemory(EngineConfig config) {
        GgufFile gguf;
        long fileBytes;
        try {
            gguf = GgufReader.read(config.model());
            fileBytes = Files.size(config.model());
        } catch (GgufFormatException e) {
            return;
        } catch (IOException e) {
            return;
        }
        OptionalLong perToken = kvBytesPerToken(gguf);
        if (perToken.isEmpty()) return;
        String arch = gguf.architecture().orElse("");
        long trained = gguf.integer(arch + ".context_length").orElse(0);
        long ctx = trained > 0 ? Math.min(config.contextPerSession(), trained) : config.contextPerSession();
        long cells = ctx * config.parallel() + 1;
        if (cells > Integer.MAX_VALUE) {
            throw CommandFailure.usage("--ctx " + ctx + " × --parallel " + config.parallel() + " is more tokens than "
                    + "llama.cpp can hold in one context: lower --ctx or --parallel");
        }
        long kvBytes = cells * perToken.getAsLong();
        long memory = totalMemory();
        if (memory > 0 && kvBytes + fileBytes > memory) {
            throw CommandFailure.usage("--ctx " + ctx + " with --parallel " + config.parallel() + " needs "
                    + ByteSizes.format(kvBytes) + " of KV cache besides the " + ByteSizes.format(fileBytes)
                    + " model, more than this machine's " + ByteSizes.format(memory) + " of memory: lower --ctx or "
                    + "--parallel");
        }
    }

    /** Bytes of K and V per cached token: layers × KV heads × head size × 2 (K and V) × 2 bytes. */
    static OptionalLong kvBytesPerToken(GgufFile gguf) {
        String arch = gguf.architecture().orElse("");
        OptionalLong layers = gguf.integer(arch + ".block_count");
        OptionalLong embd = gguf.integer(arch + ".embedding_length");
        OptionalLong heads = gguf.integer(arch + ".attention.head_count");
        if (layers.isEmpty() || embd.isEmpty() || heads.isEmpty() || heads.getAsLong() <= 0) {
            return OptionalLong.empty();
        }
        long kvHeads = gguf.integer(arch + ".attention.head_count_kv").orElse(heads.getAsLong());
        long headSize = embd.getAsLong() / heads.getAsLong();
        long keySize = gguf.integer(arch + ".attention.key_length").orElse(headSize);
        long valueSize = gguf.integer(arch + ".attention.value_length").orElse(headSize);
        return OptionalLong.of(layers.getAsLong() * kvHeads * (keySize + valueSize) * KV_ELEMENT_BYTES);
    }

    private static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }
}
