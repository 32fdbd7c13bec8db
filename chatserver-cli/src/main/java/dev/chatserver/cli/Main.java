package dev.chatserver.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code chatserver} command: parses the command line with picocli and runs one subcommand.
 *
 * <p>Every failure ends as one line on stderr and an exit code (see {@link FailureHandler}); {@code --verbose} adds
 * the stack trace and debug logging. Runs on the main thread; only {@link #main} and {@link Launcher#main} exit the
 * JVM.
 */
@Command(name = "chatserver",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Serves a local llama.cpp model to many chat clients over TCP and WebSocket.")
public final class Main {

    /**
     * The subcommands, in the order the help lists them. A command line that starts with one of their names gets
     * only that one: picocli reads every option of every command it is given by reflection, and the server should
     * not wait for the client's and the model commands' options to be read.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    /** Shown in every subcommand's help; read through the parse result by {@link FailureHandler}. */
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures and debug logging.")
    boolean verbose;

    /**
     * Runs the command line and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line.
     *
     * @param args the command line
     * @return the exit code: 0 done, 1 runtime failure, 2 bad usage or configuration
     */
    static int run(String[] args) {
        StartTrace.mark("main");
        useUtf8Output();
        // Logging is configured before parsing, so the flag is looked for by hand here.
        CliLogging.configure(Arrays.asList(args).contains("--verbose"));
        LauncherWatch.startIfLaunched();
        String first = args.length > 0 ? args[0] : "";
        if (first.equals("server")) EarlyStart.begin(); // after the logging set-up: its threads log
        FailureHandler failures = new FailureHandler();
        CommandLine commandLine = new CommandLine(new Main());
        SUBCOMMANDS.forEach((name, command) -> {
            if (!SUBCOMMANDS.containsKey(first) || first.equals(name)) commandLine.addSubcommand(name, command.get());
        });
        StartTrace.mark("command line");
        return commandLine
                .setCommandName(commandName())
                .setParameterExceptionHandler(failures)
                .setExecutionExceptionHandler(failures)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("server", ServerCommand::new);
        commands.put("client", ClientCommand::new);
        commands.put("model", ModelCommand::new);
        return commands;
    }

    /**
     * @return the command as the user typed it (e.g. {@code java -jar chatserver-cli/target/chatserver-cli.jar},
     *         see {@link Launcher#COMMAND_PROPERTY}), for usage lines and messages that say what to run next
     */
    static String commandName() {
        return System.getProperty(Launcher.COMMAND_PROPERTY, "chatserver");
    }

    /**
     * Chat text is UTF-8 whatever the locale, so that piped output compares byte for byte; the JVM would otherwise
     * encode stdout in the platform's console encoding (ASCII under the POSIX locale).
     */
    private static void useUtf8Output() {
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    }
}
