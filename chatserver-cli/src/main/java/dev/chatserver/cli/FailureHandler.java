package dev.chatserver.cli;

import dev.chatserver.gguf.GgufFormatException;
import dev.chatserver.llama.LlamaException;
import dev.chatserver.llama.ModelLoadException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr and an exit code: 2 for bad usage or configuration (unknown options,
 * bad values, a missing, unreadable or broken model file), 1 for failures while running. The stack trace is printed only
 * with {@code --verbose}. Runs on the main thread.
 */
final class FailureHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("error: " + oneLine(ex.getMessage())
                + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        err.println("error: " + oneLine(describe(ex)));
        if (isVerbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCode(ex);
    }

    /** Exit code 2 for what the user can fix in the command line or the files it names, 1 for the rest. */
    static int exitCode(Throwable ex) {
        return switch (ex) {
            case CommandFailure failure -> failure.exitCode();
            case ParameterException _, IllegalArgumentException _, NoSuchFileException _,
                 AccessDeniedException _, GgufFormatException _, ModelLoadException _ -> ExitCode.USAGE;
            default -> ExitCode.SOFTWARE;
        };
    }

    private static String describe(Throwable ex) {
        return switch (ex) {
            case CommandFailure failure -> failure.getMessage();
            case NoSuchFileException e -> "no such file: " + e.getFile();
            case AccessDeniedException e -> "permission denied: " + e.getFile();
            case LlamaException e when e.getMessage() != null -> e.getMessage();
            case IllegalArgumentException e when e.getMessage() != null -> e.getMessage();
            case IOException e when e.getMessage() != null -> e.getMessage();
            default -> ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        };
    }

    private static boolean isVerbose(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
