package com.gururmm.cli.commands;

import picocli.CommandLine.Command;

/** {@code gururmm agents}: on its own it lists, like {@code agents list}. */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = "List and inspect agents. Without a subcommand: the same as 'agents list'.",
        subcommands = {AgentsListCommand.class, AgentsShowCommand.class, AgentsHeldCommand.class,
                com.gururmm.cli.inventory.AgentsInventoryCommand.class, AgentsMetricsCommand.class})
public final class AgentsCommand extends AgentListing {
}
