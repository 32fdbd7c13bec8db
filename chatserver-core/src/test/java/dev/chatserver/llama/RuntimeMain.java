package dev.chatserver.llama;

/**
 * Run in fresh JVMs by {@link NativeExtractionTest}: loads the native library (extracting it if this user's cache
 * has none) and prints what runs, one line.
 */
public final class RuntimeMain {

    private RuntimeMain() {
    }

    /** @param args none */
    public static void main(String[] args) {
        System.out.println(LlamaRuntime.current().describe());
    }
}
