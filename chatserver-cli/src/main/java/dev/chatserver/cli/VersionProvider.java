package dev.chatserver.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code chatserver --version}: the version from the jar's manifest and the Java runtime. Runs on the main thread. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {
                "chatserver " + (version == null ? "(development build)" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
