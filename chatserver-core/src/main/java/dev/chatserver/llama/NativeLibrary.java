package dev.chatserver.llama;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finds llama.cpp's shared libraries and opens them, once per class loader.
 *
 * <p>The build packs one platform's libraries (release, integrity and load order in {@code natives.properties}) into
 * this jar under {@value #RESOURCES}{@code <platform>/}. At the first use they are extracted into a per-user cache
 * directory named by release, platform and integrity ({@code ~/.cache/chatserver/natives/...} or
 * {@code $XDG_CACHE_HOME}); a directory that is there already is used as it is. Extraction goes to a private
 * sibling directory that is renamed into place in one step, so two servers starting together never see a
 * half-written library: the loser of the race deletes its copy and uses the winner's. Where the cache cannot be
 * written, a private temporary directory is used. No network at run time.
 *
 * <p>The system property {@value #DIRECTORY_PROPERTY} names a directory with the libraries instead (the same
 * release built by hand, e.g. with CUDA); nothing is extracted then.
 *
 * <p>Libraries open in dependency order, ggml-base, ggml, llama; the ggml CPU backend variants in the same directory
 * are loaded later by {@code ggml_backend_load_all_from_path}, which picks the best for this CPU. Runs on whichever
 * thread first touches {@link Llama}: the first caller of {@link #ensureLoaded()}, or the {@code llama-load} thread
 * of {@link #loadInBackground()}.
 */
final class NativeLibrary {

    /** System property naming a directory that holds llama.cpp's libraries, used instead of the jar's. */
    static final String DIRECTORY_PROPERTY = "chatserver.llama.natives";

    private static final String RESOURCES = "/dev/chatserver/llama/natives/";
    private static final String COMPLETE_MARKER = ".complete";

    /** Set by the first {@link #ensureLoaded()}, which initialises {@link Llama}. */
    private static final AtomicBoolean LOAD_STARTED = new AtomicBoolean();
    /** Completed when {@link Llama} is initialised, exceptionally with what its initialisation threw. */
    private static final CompletableFuture<Void> LOADED = new CompletableFuture<>();

    /**
     * The opened libraries.
     *
     * @param lookup    finds the symbols of ggml-base, ggml and llama
     * @param directory where the libraries (and the CPU backend variants) lie
     * @param release   the llama.cpp release, e.g. {@code v0.5.0} ({@code unknown} for a directory without
     *                  {@code natives.properties})
     */
    record Loaded(SymbolLookup lookup, Path directory, String release) {
    }

    private NativeLibrary() {
    }

    /**
     * Makes sure {@link Llama} is initialised: the first caller initialises it, any other waits for that. A failure
     * to load the library (which the JVM reports as an {@link ExceptionInInitializerError} once and as a
     * {@link NoClassDefFoundError} after) becomes, for every caller, a {@link LlamaException} with the first
     * failure's reason, also when the first caller was the thread of {@link #loadInBackground()}.
     */
    static void ensureLoaded() {
        if (LOAD_STARTED.compareAndSet(false, true)) {
            try {
                Llama.initialize();
                LOADED.complete(null);
            } catch (Throwable e) {
                LOADED.completeExceptionally(e);
            }
        }
        try {
            LOADED.join();
        } catch (CompletionException e) {
            Throwable failure = e.getCause() instanceof ExceptionInInitializerError init && init.getCause() != null
                    ? init.getCause() : e.getCause();
            throw new LlamaException("cannot load the native llama.cpp library: " + failure.getMessage(), failure);
        }
    }

    /**
     * Starts loading the library on a daemon thread and returns at once, so that the library is ready (or nearly)
     * when it is first needed; a failure is reported to that first use ({@link #ensureLoaded()}).
     */
    static void loadInBackground() {
        if (LOAD_STARTED.get()) return;
        Thread.ofPlatform().daemon().name("llama-load").start(() -> {
            try {
                ensureLoaded();
            } catch (LlamaException reportedToTheFirstUse) {
                // ensureLoaded throws it again where the library is needed
            }
        });
    }

    /**
     * Extracts (if needed) and opens the libraries for this platform.
     *
     * @return the libraries' lookup and directory
     */
    static Loaded load() {
        String override = System.getProperty(DIRECTORY_PROPERTY);
        Path directory;
        Properties properties;
        if (override != null && !override.isBlank()) {
            directory = Path.of(override).toAbsolutePath();
            Path file = directory.resolve("natives.properties");
            properties = Files.isRegularFile(file) ? read(file) : describe(directory);
        } else {
            String platform = platform();
            properties = resourceProperties(platform);
            directory = extract(platform, properties);
        }
        String[] order = properties.getProperty("load", "").split(",");
        if (order.length != 3) throw new LlamaException("llama.cpp libraries not found in " + directory);
        Arena arena = Arena.global();
        SymbolLookup lookup = null;
        for (String name : order) {
            Path library = directory.resolve(name);
            if (!Files.isRegularFile(library)) throw new LlamaException("llama.cpp library missing: " + library);
            SymbolLookup one = SymbolLookup.libraryLookup(library, arena);
            lookup = lookup == null ? one : one.or(lookup); // llama first, then ggml, then ggml-base
        }
        return new Loaded(lookup, directory, properties.getProperty("release", "unknown"));
    }

    /** @return this platform in the build's names, e.g. {@code linux-x64} */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        if (os.startsWith("linux")) return arm ? "linux-arm64" : "linux-x64";
        if (os.startsWith("mac") || os.startsWith("darwin")) return arm ? "mac-arm64-metal" : "mac-x64";
        if (os.startsWith("windows")) return arm ? "win-arm64" : "win-x64";
        return os + "-" + arch;
    }

    private static Properties resourceProperties(String platform) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCES + platform + "/natives.properties")) {
            if (in == null) {
                throw new LlamaException("this build carries no llama.cpp for " + platform
                        + "; build chatserver on " + platform + " (or with -Dllama.platform=all), or set -D"
                        + DIRECTORY_PROPERTY + "=DIR to a directory with llama.cpp's libraries");
            }
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the llama.cpp library list", e);
        }
    }

    /** Extracts into the cache unless a complete copy is there; returns the directory. */
    private static Path extract(String platform, Properties properties) {
        String integrity = properties.getProperty("integrity", "");
        String name = properties.getProperty("release", "unknown") + "-" + platform + "-" + shortHash(integrity);
        List<Path> roots = new ArrayList<>(2);
        roots.add(cacheRoot());
        roots.add(Path.of(System.getProperty("java.io.tmpdir"), "chatserver-" + System.getProperty("user.name", "user")));
        IOException last = null;
        for (Path root : roots) {
            Path target = root.resolve(name);
            if (Files.isRegularFile(target.resolve(COMPLETE_MARKER))) return target;
            try {
                Files.createDirectories(root);
                Path work = Files.createTempDirectory(root, name + ".part-");
                try {
                    for (String file : properties.getProperty("files", "").split(",")) copyResource(platform, file, work);
                    Files.writeString(work.resolve(COMPLETE_MARKER), integrity + "\n");
                    try {
                        Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        // Another process finished first (Linux says "Directory not empty", a plain
                        // FileSystemException): use its copy if it is complete.
                        if (!Files.isRegularFile(target.resolve(COMPLETE_MARKER))) throw e;
                    }
                } finally {
                    deleteTree(work);
                }
                if (Files.isRegularFile(target.resolve(COMPLETE_MARKER))) return target;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("cannot extract llama.cpp's libraries (tried " + roots + ")", last);
    }

    private static void copyResource(String platform, String file, Path dir) throws IOException {
        if (file.isBlank()) return;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCES + platform + "/" + file)) {
            if (in == null) throw new IOException("the jar lacks " + file);
            Files.copy(in, dir.resolve(file));
        }
    }

    /** The user cache directory: {@code $XDG_CACHE_HOME}, else {@code ~/.cache} (macOS: ~/Library/Caches). */
    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path home = Path.of(System.getProperty("user.home"));
        Path root;
        if (xdg != null && !xdg.isBlank()) {
            root = Path.of(xdg);
        } else if (platform().startsWith("mac")) {
            root = home.resolve("Library").resolve("Caches");
        } else if (platform().startsWith("win") && System.getenv("LOCALAPPDATA") != null) {
            root = Path.of(System.getenv("LOCALAPPDATA"));
        } else {
            root = home.resolve(".cache");
        }
        return root.resolve("chatserver").resolve("natives");
    }

    /** The first 8 bytes of the integrity's digest in hex: names the copy. */
    private static String shortHash(String integrity) {
        int dash = integrity.indexOf('-');
        try {
            byte[] digest = Base64.getDecoder().decode(integrity.substring(dash + 1));
            return HexFormat.of().formatHex(digest, 0, Math.min(8, digest.length));
        } catch (IllegalArgumentException e) {
            return Integer.toHexString(integrity.hashCode());
        }
    }

    /** Properties for a directory of libraries without a list: the load order found by file name. */
    private static Properties describe(Path directory) {
        Properties p = new Properties();
        try (var files = Files.list(directory)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            String base = first(names, "(lib)?ggml-base\\.(so|dylib|dll)");
            String ggml = first(names, "(lib)?ggml(\\.[a-z]+)?(\\.v[0-9.]+)?\\.(so|dylib|dll)");
            String llama = first(names, "(lib)?llama(\\.[a-z]+)?(\\.v[0-9.]+)?\\.(so|dylib|dll)");
            if (base != null && ggml != null && llama != null) p.setProperty("load", base + "," + ggml + "," + llama);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        return p;
    }

    private static String first(List<String> names, String regex) {
        return names.stream().filter(n -> n.matches(regex)).findFirst().orElse(null);
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (var reader = Files.newBufferedReader(file)) {
            p.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return p;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException ignored) {
            // a leftover private directory is harmless
        }
    }
}
