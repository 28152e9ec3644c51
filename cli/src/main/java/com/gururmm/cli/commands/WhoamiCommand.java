package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.SavedLogin;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Auth.UserView;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Asks the server who the saved session belongs to, which also proves it still works. */
@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = "Show the logged-in user, role, server and when the session expires.")
public final class WhoamiCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    /** JSON shape of {@code whoami}: the API's user plus where and until when. */
    record Identity(String server, UUID id, String email, String role, Instant expiresAt) {
    }

    @Override
    public Integer call() {
        UserView me = session.client().me();
        String url = session.serverUrl();
        Instant expires = session.store().login(url).map(SavedLogin::expiresAt).orElse(null);
        Identity identity = new Identity(url, me.id(), me.email(), me.role(), expires);
        output.print(identity, () -> Table.fields()
                .row("email", me.email())
                .row("role", me.role())
                .row("server", url)
                .row("expires_at", expires));
        return ExitCode.OK;
    }
}
