import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Build step of chatserver-core: puts llama.cpp's shared libraries for one or all platforms into the jar's
 * resources, under {@code dev/chatserver/llama/natives/<platform>/}, with a {@code natives.properties} that the run
 * time reads (release, integrity, load order) and the licence notices.
 *
 * <p>The libraries come from the npm registry, by package name through {@code npm pack} (see {@code natives.lock}):
 * the tarball must match the pinned SHA-512 integrity, and is kept in a cache named by that integrity, so later
 * builds do not call npm again. {@code --natives-dir DIR} takes the libraries from a directory instead (for a build of
 * the same release made by hand, e.g. with CUDA).
 *
 * <p>Usage: {@code java FetchNatives.java --lock FILE --out DIR [--platform host|all|NAME] [--natives-dir DIR]
 * [--cache DIR]}. Any failure is one line on standard error and exit code 1.
 */
public final class FetchNatives {

    /** The libraries FFM loads, in load order, and the backends ggml loads itself; nothing else is packed. */
    private static final Pattern BASE = Pattern.compile("(lib)?ggml-base\\.(so|dylib|dll)");
    private static final Pattern GGML = Pattern.compile("(lib)?ggml(\\.[a-z]+)?(\\.v[0-9.]+)?\\.(so|dylib|dll)");
    private static final Pattern LLAMA = Pattern.compile("(lib)?llama(\\.[a-z]+)?(\\.v[0-9.]+)?\\.(so|dylib|dll)");
    private static final Pattern BACKEND = Pattern.compile("(lib)?ggml-(cpu-[A-Za-z0-9_.]+|metal|blas)\\.(so|dylib|dll)");
    private static final String RESOURCE_DIR = "dev/chatserver/llama/natives/";
    private static final String NOTICE_DIR = "natives";

    private record Pin(String platform, String pkg, String version, String release, String integrity) {
        String spec() {
            return pkg + "@" + version;
        }
    }

    public static void main(String[] args) {
        try {
            run(options(args));
        } catch (BuildFailure | UncheckedIOException e) {
            System.err.println("chatserver-core natives: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(Map<String, String> options) {
        Path lockFile = Path.of(required(options, "--lock")).toAbsolutePath();
        Path out = Path.of(required(options, "--out"));
        String platform = options.getOrDefault("--platform", "host");
        String nativesDir = options.getOrDefault("--natives-dir", "");
        Path cache = options.containsKey("--cache") && !options.get("--cache").isBlank()
                ? Path.of(options.get("--cache")) : defaultCache();
        Map<String, Pin> pins = readLock(lockFile);
        List<Pin> wanted = new ArrayList<>();
        if (platform.equals("all")) {
            wanted.addAll(pins.values());
        } else {
            String name = platform.equals("host") ? hostPlatform() : platform;
            Pin pin = pins.get(name);
            if (pin == null) {
                throw new BuildFailure("no llama.cpp build is pinned for platform " + name + " (pinned: "
                        + String.join(", ", pins.keySet()) + "); pass -Dllama.natives=DIR with that release's libraries");
            }
            wanted.add(pin);
        }
        Path notices = lockFile.getParent();
        for (Pin pin : wanted) {
            Path target = out.resolve(RESOURCE_DIR + pin.platform());
            if (!nativesDir.isBlank()) {
                packDirectory(pin, Path.of(nativesDir), target, notices);
            } else if (!upToDate(target, pin.integrity())) {
                packTarball(pin, tarball(pin, cache), target, notices);
            }
        }
    }

    // ---- the tarball: cache, npm pack, integrity ----

    private static Path tarball(Pin pin, Path cache) {
        Path cached = cache.resolve(hex(pin.integrity()) + ".tgz");
        if (Files.isRegularFile(cached) && integrityOf(cached).equals(pin.integrity())) return cached;
        try {
            Files.createDirectories(cache);
            Path work = Files.createTempDirectory(cache, "pack-");
            try {
                npmPack(pin, work);
                Path packed;
                try (var files = Files.list(work)) {
                    packed = files.filter(p -> p.toString().endsWith(".tgz")).findFirst()
                            .orElseThrow(() -> new BuildFailure("npm pack " + pin.spec() + " wrote no tarball"));
                }
                String actual = integrityOf(packed);
                if (!actual.equals(pin.integrity())) {
                    throw new BuildFailure(pin.spec() + " does not match its pinned integrity (got " + actual
                            + "); refusing to use it");
                }
                Files.move(packed, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return cached;
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the cache " + cache + ": " + e.getMessage(), e);
        }
    }

    private static void npmPack(Pin pin, Path dir) {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        List<String> command = List.of(windows ? "npm.cmd" : "npm", "pack", pin.spec(), "--silent");
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("npm.log").toFile()).start();
        } catch (IOException e) {
            throw new BuildFailure("npm was not found: the build needs Node.js 20+ with npm to get llama.cpp ("
                    + pin.spec() + "), or -Dllama.natives=DIR naming a directory with llama.cpp " + pin.release()
                    + "'s libraries");
        }
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new BuildFailure("npm pack " + pin.spec() + " did not finish in 10 minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while npm packed " + pin.spec());
        }
        if (process.exitValue() != 0) {
            String log = "";
            try {
                log = Files.readString(dir.resolve("npm.log")).strip().replace('\n', ' ');
            } catch (IOException ignored) {
                // the exit code says enough
            }
            throw new BuildFailure("npm pack " + pin.spec() + " failed (exit " + process.exitValue() + "): " + log);
        }
    }

    private static String integrityOf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-512");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
            return "sha512-" + Base64.getEncoder().encodeToString(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The integrity as hex, a file name that any file system takes. */
    private static String hex(String integrity) {
        return HexFormat.of().formatHex(Base64.getDecoder().decode(integrity.substring("sha512-".length())));
    }

    // ---- packing ----

    private static boolean upToDate(Path target, String integrity) {
        Path properties = target.resolve("natives.properties");
        if (!Files.isRegularFile(properties)) return false;
        Properties p = load(properties);
        if (!integrity.equals(p.getProperty("integrity"))) return false;
        for (String file : p.getProperty("files", "").split(",")) {
            if (file.isBlank() || !Files.isRegularFile(target.resolve(file))) return false;
        }
        return true;
    }

    private static void packTarball(Pin pin, Path tarball, Path target, Path notices) {
        String prefix = "package/bins/" + pin.platform() + "/";
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] license = null;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball))) {
            for (TarEntry entry; (entry = TarEntry.next(in)) != null; ) {
                if (entry.name().equals("package/LICENSE")) license = entry.data();
                if (!entry.name().startsWith(prefix)) continue;
                String name = entry.name().substring(prefix.length());
                if (!name.contains("/") && isWanted(name)) files.put(name, entry.data());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tarball + ": " + e.getMessage(), e);
        }
        write(pin, files, license, target, notices, pin.integrity());
    }

    private static void packDirectory(Pin pin, Path dir, Path target, Path notices) {
        if (!Files.isDirectory(dir)) throw new BuildFailure("-Dllama.natives names no directory: " + dir);
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && isWanted(name)) files.put(name, Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
        write(pin, files, null, target, notices, "local:" + dir.toAbsolutePath().normalize());
    }

    private static boolean isWanted(String name) {
        return BASE.matcher(name).matches() || GGML.matcher(name).matches() || LLAMA.matcher(name).matches()
                || BACKEND.matcher(name).matches();
    }

    private static void write(Pin pin, Map<String, byte[]> files, byte[] license, Path target, Path notices,
                              String integrity) {
        String base = only(files, BASE, pin);
        String ggml = only(files, GGML, pin);
        String llama = only(files, LLAMA, pin);
        if (files.keySet().stream().noneMatch(n -> BACKEND.matcher(n).matches())) {
            throw new BuildFailure("llama.cpp for " + pin.platform() + " has no ggml-cpu backend library");
        }
        try {
            deleteTree(target);
            Files.createDirectories(target);
            for (var e : files.entrySet()) Files.write(target.resolve(e.getKey()), e.getValue());
            Path licenses = target.resolve(NOTICE_DIR);
            Files.createDirectories(licenses);
            Files.copy(notices.resolve("LICENSE-llama.cpp.txt"), licenses.resolve("LICENSE-llama.cpp.txt"));
            if (license != null) Files.write(licenses.resolve("LICENSE-node-llama-cpp.txt"), license);
            Properties p = new Properties();
            p.setProperty("platform", pin.platform());
            p.setProperty("release", pin.release());
            p.setProperty("package", pin.spec());
            p.setProperty("integrity", integrity);
            p.setProperty("load", String.join(",", base, ggml, llama));
            p.setProperty("files", String.join(",", files.keySet().stream().sorted().toList()));
            try (var writer = Files.newBufferedWriter(target.resolve("natives.properties"))) {
                p.store(writer, "llama.cpp " + pin.release() + " for " + pin.platform());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        System.out.println("chatserver-core natives: llama.cpp " + pin.release() + " for " + pin.platform() + ", "
                + files.size() + " libraries from " + (integrity.startsWith("local:") ? integrity.substring(6) : pin.spec()));
    }

    private static String only(Map<String, byte[]> files, Pattern pattern, Pin pin) {
        List<String> names = files.keySet().stream().filter(n -> pattern.matcher(n).matches()).toList();
        if (names.size() != 1) {
            throw new BuildFailure("expected one library like " + pattern.pattern() + " for " + pin.platform()
                    + ", found " + names);
        }
        return names.getFirst();
    }

    // ---- small things ----

    private static Map<String, Pin> readLock(Path lockFile) {
        Map<String, Pin> pins = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(lockFile)) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) continue;
                String[] f = text.split("\\s+");
                if (f.length != 5) throw new BuildFailure(lockFile + ": a line needs 5 fields: " + text);
                pins.put(f[0], new Pin(f[0], f[1], f[2], f[3], f[4]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + lockFile, e);
        }
        return pins;
    }

    /** The platform this build runs on, in node-llama-cpp's names. */
    static String hostPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        if (os.startsWith("linux")) return arm ? "linux-arm64" : "linux-x64";
        if (os.startsWith("mac")) return arm ? "mac-arm64-metal" : "mac-x64";
        if (os.startsWith("windows")) return arm ? "win-arm64" : "win-x64";
        return os + "-" + arch;
    }

    private static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return root.resolve("chatserver").resolve("npm");
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new BuildFailure("unexpected argument " + args[i]);
            options.put(args[i], i + 1 < args.length ? args[++i] : "");
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) throw new BuildFailure(name + " is required");
        return value;
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        try (var reader = Files.newBufferedReader(file)) {
            p.load(reader);
        } catch (IOException e) {
            return new Properties();
        }
        return p;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** One entry of a ustar archive (npm tarballs): its name and bytes; directories and pax headers skipped. */
    private record TarEntry(String name, byte[] data) {
        static TarEntry next(InputStream in) throws IOException {
            while (true) {
                byte[] header = in.readNBytes(512);
                if (header.length < 512 || header[0] == 0) return null;
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                long size = Long.parseLong(field(header, 124, 12).strip().isEmpty() ? "0" : field(header, 124, 12).strip(), 8);
                byte type = header[156];
                byte[] data = in.readNBytes(Math.toIntExact(size));
                long pad = (512 - size % 512) % 512;
                in.readNBytes((int) pad);
                if (type == '0' || type == 0) {
                    return new TarEntry(prefix.isEmpty() ? name : prefix + "/" + name, data);
                }
            }
        }

        private static String field(byte[] header, int offset, int length) {
            int end = offset;
            while (end < offset + length && header[end] != 0) end++;
            return new String(header, offset, end - offset, StandardCharsets.UTF_8);
        }
    }

    private static final class BuildFailure extends RuntimeException {
        BuildFailure(String message) {
            super(message);
        }
    }
}
