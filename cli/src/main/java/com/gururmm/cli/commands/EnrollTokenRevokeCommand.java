package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.Session;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code DELETE /api/enrollment-tokens/{id}}: agents already enrolled keep working. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = "Revoke an enrollment token; agents that already enrolled with it keep working.")
public final class EnrollTokenRevokeCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    private Session session;

    @Parameters(paramLabel = "TOKEN_ID", converter = CommandIds.class, description = "The token's id (from 'enroll-token list').")
    private UUID id;

    EnrollTokenRevokeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        session.client().revokeEnrollmentToken(id);
        terminal.out().println("Revoked enrollment token " + id + ".");
        return ExitCode.OK;
    }
}
