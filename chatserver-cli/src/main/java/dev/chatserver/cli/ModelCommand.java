package dev.chatserver.cli;

import picocli.CommandLine.Command;

/** {@code chatserver model ...}: looks at, makes and gets model files. Has no action of its own. */
@Command(name = "model",
        mixinStandardHelpOptions = true,
        description = "Inspect, create and download GGUF model files.",
        subcommands = {
                ModelInfoCommand.class,
                ModelSynthCommand.class,
                // model pull / model list: ModelPullCommand.class, ModelListCommand.class
        })
final class ModelCommand {
}
