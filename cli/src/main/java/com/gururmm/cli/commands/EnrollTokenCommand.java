package com.gururmm.cli.commands;

import picocli.CommandLine.Command;

/** {@code gururmm enroll-token create|list|revoke} (admin). */
@Command(name = "enroll-token", mixinStandardHelpOptions = true,
        description = "Manage the enrollment tokens new agents sign up with (admin).",
        subcommands = {EnrollTokenCreateCommand.class, EnrollTokenListCommand.class, EnrollTokenRevokeCommand.class})
public final class EnrollTokenCommand {
}
