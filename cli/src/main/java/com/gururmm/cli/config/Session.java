package com.gururmm.cli.config;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.client.GuruClient;
import java.net.URI;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * Mixin for every command that calls the API: picks the server ({@code --server}, else the
 * one logged in to last) and opens a client with its saved token. An expired login is
 * reported before any request is made, with the exact command that fixes it.
 */
public final class Session {
    private final Terminal terminal;

    @Option(names = "--server", paramLabel = "URL",
            description = "Server to talk to (default: the one you logged in to last).")
    private String server;

    public Session(Terminal terminal) {
        this.terminal = terminal;
    }

    public CredentialStore store() {
        return new CredentialStore(ConfigDir.resolve(terminal.env()));
    }

    /** The chosen server URL, normalised. */
    public String serverUrl() {
        if (server != null) {
            return ServerUrl.normalize(server);
        }
        return store().currentServer().orElseThrow(() -> new CliException(ExitCode.NOT_LOGGED_IN,
                "Not logged in. Run 'gururmm login --server URL --email EMAIL' first."));
    }

    public GuruClient client() {
        String url = serverUrl();
        SavedLogin login = store().login(url).orElseThrow(() -> new CliException(ExitCode.NOT_LOGGED_IN,
                "Not logged in to " + url + ". Run 'gururmm login --server " + url + " --email EMAIL' first."));
        if (login.expiredAt(Instant.now()) && login.isApiKey()) {
            throw new CliException(ExitCode.NOT_LOGGED_IN, "The API key saved for " + url + " expired at " + login.expiresAt()
                    + ". Create a new one and run 'gururmm login --server " + url + " --api-key-stdin' with it.");
        }
        if (login.expiredAt(Instant.now())) {
            throw new CliException(ExitCode.NOT_LOGGED_IN, "Your login to " + url + " expired at " + login.expiresAt()
                    + ". Run 'gururmm login --server " + url + " --email " + login.email() + "' to log in again.");
        }
        return new GuruClient(URI.create(url), login.token(), login.fingerprint());
    }
}
