package dev.chatserver.llama;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads the llama.cpp shared library that {@code de.kherud:llama} carries, exactly once per class loader.
 *
 * <p>The library must be loaded through {@code de.kherud.llama}'s own loader: its {@code JNI_OnLoad} resolves
 * classes of that package, and a second copy loaded from another path would have its own llama.cpp globals.
 * That loader prints an "Extracted ..." line on standard output when it extracts the library itself, but it honours
 * the system property {@value #PATH_PROPERTY} (a directory holding the library) and then loads silently. So we
 * extract the library for the current platform into a fresh private temporary directory, point the property at it,
 * initialise {@code de.kherud.llama.LlamaModel} (which runs the loader), and delete the extracted file again (the
 * mapping stays valid; where the platform refuses, it is deleted at exit). The loader's working directory
 * ({@value #TMPDIR_PROPERTY}) points at the same private directory meanwhile, so its clean-up of stale copies in the
 * shared temporary directory neither touches other programs' files nor prints. Properties set by the user are
 * respected (and then the loader behaves as it always does).
 *
 * <p>Runs once, on whichever thread first touches {@link Llama}.
 */
final class NativeLibrary {

    /** The system property of {@code de.kherud.llama.LlamaLoader} naming a directory that holds the library. */
    static final String PATH_PROPERTY = "de.kherud.llama.lib.path";
    /**
     * The loader's working directory, where it first deletes entries named {@code llama*} / {@code jllama*} (and
     * prints to standard error when it cannot); pointed at our private directory while loading.
     */
    static final String TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";

    private static final String JNI_CLASS = "de.kherud.llama.LlamaModel";

    private NativeLibrary() {
    }

    /**
     * Makes sure {@link Llama} is initialised, turning a failure to load the library (which the JVM reports as an
     * {@link ExceptionInInitializerError} once and as a {@link NoClassDefFoundError} after) into a
     * {@link LlamaException} with the reason.
     */
    static void ensureLoaded() {
        try {
            Llama.initialize();
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new LlamaException("cannot load the native llama.cpp library: " + cause.getMessage(), cause);
        } catch (NoClassDefFoundError e) {
            throw new LlamaException("the native llama.cpp library could not be loaded (see the first failure)", e);
        }
    }

    /**
     * Loads the library (if this class loader has not yet) and returns the lookup that finds its symbols.
     *
     * @return the lookup of the libraries loaded by our class loader
     */
    static SymbolLookup load() {
        ClassLoader loader = NativeLibrary.class.getClassLoader();
        try {
            Class<?> jni = Class.forName(JNI_CLASS, false, loader);
            Path extracted = System.getProperty(PATH_PROPERTY) == null ? extract(jni) : null;
            boolean ownTmpDir = extracted != null && System.getProperty(TMPDIR_PROPERTY) == null;
            if (extracted != null) System.setProperty(PATH_PROPERTY, extracted.getParent().toString());
            if (ownTmpDir) System.setProperty(TMPDIR_PROPERTY, extracted.getParent().toString());
            try {
                Class.forName(JNI_CLASS, true, loader);
            } finally {
                if (extracted != null) {
                    System.clearProperty(PATH_PROPERTY);
                    if (ownTmpDir) System.clearProperty(TMPDIR_PROPERTY);
                    discard(extracted);
                }
            }
        } catch (ClassNotFoundException e) {
            throw new LlamaException("de.kherud:llama is not on the class path; it carries the native llama.cpp library", e);
        }
        return SymbolLookup.loaderLookup();
    }

    /** Copies the platform's library out of the jar into a new private directory; null when the jar has none for us. */
    private static Path extract(Class<?> jni) {
        String resource = resourceName();
        if (resource == null) return null;
        try (InputStream in = jni.getResourceAsStream(resource)) {
            if (in == null) return null;
            // The directory name must not start with "llama" or "jllama": the loader deletes such entries.
            Path dir = Files.createTempDirectory("chatserver-native-");
            Path file = dir.resolve(System.mapLibraryName("jllama"));
            Files.copy(in, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the native llama.cpp library", e);
        }
    }

    private static void discard(Path file) {
        for (Path p : new Path[] {file, file.getParent()}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                p.toFile().deleteOnExit();
            }
        }
    }

    /** The jar's resource for this platform, e.g. {@code /de/kherud/llama/Linux/x86_64/libjllama.so}. */
    private static String resourceName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osDir = os.startsWith("linux") ? "Linux"
                : os.startsWith("mac") || os.startsWith("darwin") ? "Mac"
                : os.startsWith("windows") ? "Windows" : null;
        String archDir = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (osDir == null || archDir == null || System.getProperty("java.vm.vendor", "").contains("Android")) {
            return null;
        }
        return "/de/kherud/llama/" + osDir + "/" + archDir + "/" + System.mapLibraryName("jllama");
    }
}
