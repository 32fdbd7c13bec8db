package dev.chatserver.cli;

import picocli.CommandLine.ExitCode;

/**
 * A failure a command reports to the user as one line, with the exit code it maps to.
 */
final class CommandFailure extends RuntimeException {

    private final int exitCode;

    private CommandFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * @param message what is wrong with the command line or the configuration, and how to fix it
     * @return a failure with exit code 2
     */
    static CommandFailure usage(String message) {
        return new CommandFailure(ExitCode.USAGE, message, null);
    }

    /**
     * @param message what failed while running
     * @param cause   the underlying exception, shown with {@code --verbose}
     * @return a failure with exit code 1
     */
    static CommandFailure runtime(String message, Throwable cause) {
        return new CommandFailure(ExitCode.SOFTWARE, message, cause);
    }

    /** @return the process exit code */
    int exitCode() {
        return exitCode;
    }
}
