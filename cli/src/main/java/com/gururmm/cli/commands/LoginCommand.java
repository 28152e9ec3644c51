package com.gururmm.cli.commands;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.ConfigDir;
import com.gururmm.cli.config.CredentialStore;
import com.gururmm.cli.config.SavedLogin;
import com.gururmm.cli.config.ServerUrl;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.protocol.text.ControlChars;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Exchanges email and password for a session token and caches it for the server. */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Log in to a server and remember the session (24 h) for later commands.",
                "The password is prompted without echo, or read from stdin with --password-stdin."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm login --server http://rmm.example.com:3001 --email me@example.com",
                "  echo \"$PW\" | gururmm login --server http://127.0.0.1:3001 --email me@example.com --password-stdin",
                "  gururmm login                      # log in again to the last server as the last user"})
public final class LoginCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--server", paramLabel = "URL", description = "Server URL (default: the last one logged in to).")
    private String server;

    @Option(names = "--email", paramLabel = "EMAIL", description = "Your email (default: the last one used on this server).")
    private String email;

    @Option(names = "--password-stdin", description = "Read the password from stdin (for scripts).")
    private boolean passwordStdin;

    LoginCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        CredentialStore store = new CredentialStore(ConfigDir.resolve(terminal.env()));
        String url = server != null ? ServerUrl.normalize(server) : store.currentServer().orElseThrow(
                () -> CliException.usage("Which server? Use --server URL, e.g. --server http://rmm.example.com:3001"));
        String user = email != null ? email : store.login(url).map(SavedLogin::email).orElseThrow(
                () -> CliException.usage("Which user? Use --email EMAIL."));
        char[] password = password(user, url);
        LoginResponse response;
        try {
            response = new GuruClient(URI.create(url)).login(user, new String(password));
        } catch (GuruApiException e) {
            if (e.status() == 401 || e.status() == 400) {
                throw new CliException(ExitCode.NOT_LOGGED_IN, "Login to " + url + " failed: " + e.getMessage());
            }
            throw e;
        } finally {
            Arrays.fill(password, '\0');
        }
        store.save(url, new SavedLogin(user, response.token(), response.expiresAt()));
        terminal.out().println("Logged in to " + url + " as " + user
                + (response.user() == null ? "" : " (" + ControlChars.escape(response.user().role()) + ")")
                + "; the session lasts until " + response.expiresAt() + ".");
        return ExitCode.OK;
    }

    private char[] password(String user, String url) {
        if (passwordStdin) {
            try {
                String text = new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8);
                // Like `docker login --password-stdin`: the line break `echo` adds is not part of the password.
                String stripped = text.replaceAll("\\R+$", "");
                if (stripped.isEmpty()) {
                    throw CliException.usage("--password-stdin read an empty password.");
                }
                return stripped.toCharArray();
            } catch (IOException e) {
                throw CliException.usage("Cannot read the password from stdin: " + e.getMessage());
            }
        }
        char[] typed = terminal.readPassword("Password for " + user + " at " + url + ": ");
        if (typed == null) {
            throw CliException.usage("No terminal to prompt for the password on; pipe it in with --password-stdin.");
        }
        return typed;
    }
}
