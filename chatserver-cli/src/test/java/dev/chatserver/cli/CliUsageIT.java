package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** Exit codes and one-line errors of the packaged jar, and that it starts without JVM warnings. */
class CliUsageIT {

    @Test
    void noArgumentsIsAUsageErrorOnOneLine() throws Exception {
        CliRun.Result result = CliRun.run();

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString()
                .startsWith("error: ").contains("subcommand").contains("--help");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void unknownOptionIsAUsageErrorOnOneLine() throws Exception {
        CliRun.Result result = CliRun.run("model", "info", "--no-such-option", "x.gguf");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString().contains("--no-such-option");
    }

    @Test
    void usageLinesAndHintsNameTheCommandAsTyped() throws Exception {
        CliRun.Result help = CliRun.run("model", "pull", "--help");
        assertThat(help.stdout().replaceAll("\\s+", " "))
                .startsWith("Usage: java -jar " + CliRun.jar() + " model pull ");

        CliRun.Result bad = CliRun.run("server", "--mode", "bogus");
        assertThat(bad.stderrLines()).singleElement().asString()
                .endsWith("(see 'java -jar " + CliRun.jar() + " server --help')");
    }

    @Test
    void versionPrintsTheVersionWithoutWarnings() throws Exception {
        CliRun.Result result = CliRun.run("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdoutLines().getFirst()).startsWith("chatserver ");
        assertThat(result.stderr()).isEmpty();
    }

    @Test
    void helpListsTheSubcommands() throws Exception {
        CliRun.Result result = CliRun.run("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("server", "client", "model");
        assertThat(result.stderr()).isEmpty();
    }

    @Test
    void noClassOfOursDependsOnPreviewFeatures() throws Exception {
        // So that the launcher's JVM, started without --enable-preview, can run the server itself.
        List<String> preview = new ArrayList<>();
        int classes = 0;
        try (JarFile jar = new JarFile(CliRun.jar().toFile())) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                if (!entry.getName().startsWith("dev/chatserver/") || !entry.getName().endsWith(".class")) continue;
                classes++;
                try (DataInputStream in = new DataInputStream(jar.getInputStream(entry))) {
                    in.readInt();
                    if (in.readUnsignedShort() == 0xFFFF) preview.add(entry.getName());
                }
            }
        }
        assertThat(classes).as("classes of ours in the jar").isGreaterThan(100);
        assertThat(preview).as("classes compiled with preview features").isEmpty();
    }

    @Test
    void launcherClassesLoadWithoutPreviewFeatures() throws Exception {
        // A class file that depends on preview features has minor version 0xFFFF and fails to load on a JVM
        // started without --enable-preview, which is how "java -jar" starts the launcher.
        try (JarFile jar = new JarFile(CliRun.jar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.chatserver.cli.Launcher");
            for (String name : List.of("Launcher", "OsSignals")) {
                try (DataInputStream in = new DataInputStream(
                        jar.getInputStream(jar.getEntry("dev/chatserver/cli/" + name + ".class")))) {
                    assertThat(in.readInt()).isEqualTo(0xCAFEBABE);
                    assertThat(in.readUnsignedShort()).as("minor version of " + name).isZero();
                    // Java 11, so that an older java on the PATH runs the launcher (see OldJavaLauncherIT).
                    assertThat(in.readUnsignedShort()).as("major version of " + name).isEqualTo(55);
                }
            }
        }
    }
}
