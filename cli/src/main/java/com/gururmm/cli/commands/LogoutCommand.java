package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.SavedLogin;
import com.gururmm.cli.config.Session;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Ends the session on the server ({@code POST /api/auth/logout}, so a copy of the token stops
 * working too), then forgets the saved login. The local login is forgotten even when the server
 * cannot be reached, with a warning that the token stays valid until it expires.
 */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "End the session on the server and forget the saved login (default: the current server).")
public final class LogoutCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    private Session session;

    LogoutCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        String url = session.serverUrl();
        Optional<SavedLogin> login = session.store().login(url);
        if (login.isPresent() && login.get().isApiKey()) {
            // A key has no session to end: forgetting it here leaves it valid on the server.
            boolean removed = session.store().remove(url);
            terminal.out().println((removed ? "Forgot the API key saved for " : "Was not logged in to ") + url
                    + "; the key itself stays valid until it expires or is revoked ('gururmm api-keys revoke ID').");
            return ExitCode.OK;
        }
        if (login.isPresent() && !login.get().expiredAt(Instant.now())) {
            try {
                new GuruClient(URI.create(url), login.get().token(), login.get().fingerprint()).logout();
            } catch (GuruApiException e) {
                if (e.status() != 401) {
                    terminal.err().println("Warning: could not end the session on the server (" + e.getMessage()
                            + "); the saved token stays valid until " + login.get().expiresAt() + ".");
                }
            }
        }
        boolean removed = session.store().remove(url);
        terminal.out().println(removed ? "Logged out of " + url + "." : "Was not logged in to " + url + ".");
        return ExitCode.OK;
    }
}
