package com.gururmm.cli.inventory;

import picocli.CommandLine.Command;

/** {@code gururmm inventory}: fleet-wide inventory questions. */
@Command(name = "inventory", mixinStandardHelpOptions = true,
        description = "Fleet-wide inventory search (per agent: 'gururmm agents inventory AGENT').",
        subcommands = {InventorySearchCommand.class})
public final class InventoryCommand {
}
