package com.gururmm.cli.commands;

import picocli.CommandLine.Command;

/** {@code gururmm command show|cancel|list}. */
@Command(name = "command", mixinStandardHelpOptions = true,
        description = "Inspect, list and cancel commands.",
        subcommands = {CommandShowCommand.class, CommandCancelCommand.class, CommandListCommand.class})
public final class CommandCommand {
}
