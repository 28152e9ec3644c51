package com.gururmm.cli.commands;

import picocli.CommandLine.Command;

/** {@code gururmm agents list}. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = "List agents, optionally filtered.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm agents list --status offline",
                "  gururmm agents list --hostname 'web*' --os linux --output json"})
public final class AgentsListCommand extends AgentListing {
}
