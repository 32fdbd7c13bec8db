package dev.chatserver.llama;

/**
 * Run in fresh JVMs by {@link BackgroundLoadTest}: starts loading the native library in the background, then uses it
 * twice and prints one line per use, what runs or why it failed.
 */
public final class BackgroundLoadMain {

    private BackgroundLoadMain() {
    }

    /** @param args none */
    public static void main(String[] args) {
        LlamaRuntime.loadInBackground();
        for (int use = 0; use < 2; use++) {
            try {
                System.out.println(LlamaRuntime.current().describe());
            } catch (LlamaException e) {
                System.out.println("failed: " + e.getMessage());
            }
        }
    }
}
