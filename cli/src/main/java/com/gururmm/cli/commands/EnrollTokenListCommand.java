package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.EnrollmentTokens.TokenView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code GET /api/enrollment-tokens}. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List enrollment tokens (not their secret values).")
public final class EnrollTokenListCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Override
    public Integer call() {
        List<TokenView> tokens = session.client().enrollmentTokens();
        output.print(tokens, () -> {
            Table table = Table.of("ID", "SITE", "STATUS", "USES", "MAX USES", "CREATED", "EXPIRES");
            tokens.forEach(t -> table.row(t.id(), t.site(), t.status(), t.uses(), t.maxUses() == null ? "unlimited" : t.maxUses(),
                    t.createdAt(), t.expiresAt()));
            return table;
        });
        return ExitCode.OK;
    }
}
