package dev.chatserver.gguf;

import java.nio.file.Path;

/** Run in a child JVM by {@link SyntheticModelCacheTest}: caches {@link SyntheticModelCacheTest#MODEL} in a folder. */
public final class CachedInProcess {
    private CachedInProcess() {
    }

    /** Caches the model in the folder {@code args[0]} and prints the file's path. */
    public static void main(String[] args) throws Exception {
        System.out.println(SyntheticModelCacheTest.MODEL.cachedIn(Path.of(args[0])));
    }
}
