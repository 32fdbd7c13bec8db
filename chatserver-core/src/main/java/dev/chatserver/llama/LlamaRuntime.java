package dev.chatserver.llama;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The llama.cpp that runs in this process: which release, and which backends ggml chose for this machine.
 *
 * @param release   the release the build packed, e.g. {@code v0.5.0} ({@code unknown} for libraries given by
 *                  directory without a description)
 * @param version   what {@code llama_version()} says, e.g. {@code 0.5.0-dev}
 * @param backends  the backends loaded, e.g. {@code [CPU: haswell]}: the CPU variant is the one ggml scored best for
 *                  this processor (AVX2, AVX-512, AMX ...)
 * @param directory where the shared libraries lie
 */
public record LlamaRuntime(String release, String version, List<String> backends, Path directory) {

    /**
     * Checks and copies the values.
     *
     * @param release   not null
     * @param version   not null
     * @param backends  not null
     * @param directory not null
     */
    public LlamaRuntime {
        Objects.requireNonNull(release, "release");
        Objects.requireNonNull(version, "version");
        backends = List.copyOf(backends);
        Objects.requireNonNull(directory, "directory");
    }

    /**
     * The runtime of this process, loading the native library on first use.
     *
     * @return the loaded runtime
     * @throws LlamaException when the native library cannot be loaded
     */
    public static LlamaRuntime current() {
        NativeLibrary.ensureLoaded();
        return Llama.runtime();
    }

    /**
     * Starts loading the native library on a daemon thread ({@code llama-load}) and returns at once, so that a
     * program that will need it (a server about to parse its options and load a model) finds it ready, or nearly,
     * at its first use. A failure to load is thrown by that first use, as without this call. Does nothing once
     * loading has started.
     */
    public static void loadInBackground() {
        NativeLibrary.loadInBackground();
    }

    /** @return the CPU backend's variant, e.g. {@code haswell}, or {@code none} when no CPU backend was loaded */
    public String cpuVariant() {
        for (String backend : backends) {
            if (backend.startsWith("CPU: ")) return backend.substring(5);
            if (backend.equals("CPU")) return "default";
        }
        return "none";
    }

    /** @return one line for logs and {@code model info}, e.g. {@code llama.cpp v0.5.0, CPU backend haswell} */
    public String describe() {
        StringBuilder line = new StringBuilder("llama.cpp ").append(release).append(", CPU backend ").append(cpuVariant());
        for (String backend : backends) {
            if (!backend.startsWith("CPU")) line.append(", ").append(backend).append(" backend");
        }
        return line.toString();
    }
}
