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
                "The password is prompted without echo, or read from stdin with --password-stdin.",
                "With MFA, the code of your authenticator app (or a recovery code) is prompted too, or read from",
                "stdin with --totp-stdin (with --password-stdin as well: the password on the first line, the code on the second).",
                "With --api-key-stdin, an API key (grmm_key_..., from 'gururmm api-keys create') read from stdin is saved",
                "as the credential instead: no password, no session; it works until it expires or is revoked."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm login --server http://rmm.example.com:3001 --email me@example.com",
                "  echo \"$PW\" | gururmm login --server http://127.0.0.1:3001 --email me@example.com --password-stdin",
                "  { echo \"$PW\"; oathtool --totp -b \"$SEED\"; } | gururmm login --email me@example.com --password-stdin --totp-stdin",
                "  gururmm login --server https://10.0.0.5:3001 --email me@example.com --fingerprint AB:CD:...   # self-signed server",
                "  printf '%s' \"$GURURMM_KEY\" | gururmm login --server https://rmm.example.com:3001 --api-key-stdin",
                "  gururmm login                      # log in again to the last server as the last user"})
public final class LoginCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--server", paramLabel = "URL", description = "Server URL (default: the last one logged in to).")
    private String server;

    @Option(names = "--email", paramLabel = "EMAIL", description = "Your email (default: the last one used on this server).")
    private String email;

    @Option(names = "--password-stdin", description = "Read the password from stdin (for scripts).")
    private boolean passwordStdin;

    @Option(names = "--fingerprint", paramLabel = "SHA256",
            description = "Trust the server's TLS certificate with this SHA-256 fingerprint (a self-signed server; shown in its"
                    + " start-up banner and at GET /api/server/tls) instead of the system trust store. Kept with the login.")
    private String fingerprint;

    @Option(names = "--totp-stdin", description = "Read the MFA code (6 digits) or a recovery code from stdin (for scripts).")
    private boolean totpStdin;

    @Option(names = "--api-key-stdin", description = "Read an API key (grmm_key_...) from stdin and use it as the credential"
            + " (automation: no password, no MFA prompt; the key's role and scope apply).")
    private boolean apiKeyStdin;

    private String pinnedBefore;

    /** Lines of stdin, read once: password and/or code. */
    private java.util.List<String> stdinLines;

    LoginCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        CredentialStore store = new CredentialStore(ConfigDir.resolve(terminal.env()));
        String url = server != null ? ServerUrl.normalize(server) : store.currentServer().orElseThrow(
                () -> CliException.usage("Which server? Use --server URL, e.g. --server http://rmm.example.com:3001"));
        pinnedBefore = store.login(url).map(SavedLogin::fingerprint).orElse(null);
        if (apiKeyStdin) {
            return loginWithKey(store, url);
        }
        String user = email != null ? email : store.login(url).map(SavedLogin::email).orElseThrow(
                () -> CliException.usage("Which user? Use --email EMAIL."));
        char[] password = password(user, url);
        LoginResponse response;
        try {
            GuruClient client = new GuruClient(URI.create(url), null, pin());
            response = client.login(user, new String(password));
            if (response.mfaRequired()) {
                response = secondStep(client, response, user, url);
            }
        } catch (GuruApiException e) {
            if (e.status() == 401 || e.status() == 400) {
                throw new CliException(ExitCode.NOT_LOGGED_IN, "Login to " + url + " failed: " + e.getMessage());
            }
            throw e;
        } finally {
            Arrays.fill(password, '\0');
        }
        store.save(url, new SavedLogin(user, response.token(), response.expiresAt(), pin()));
        terminal.out().println("Logged in to " + url + " as " + user
                + (response.user() == null ? "" : " (" + ControlChars.escape(response.user().role()) + ")")
                + "; the session lasts until " + response.expiresAt() + ".");
        return ExitCode.OK;
    }

    /**
     * {@code --api-key-stdin}: the key is checked with {@code GET /api/auth/me} (which also says whose
     * it is and with what role) before it is saved; its expiry comes from the owner's key listing.
     */
    private Integer loginWithKey(CredentialStore store, String url) {
        if (passwordStdin || totpStdin || email != null) {
            throw CliException.usage("--api-key-stdin logs in with the key alone; leave out --email, --password-stdin and --totp-stdin.");
        }
        String key;
        try {
            key = new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw CliException.usage("Cannot read the API key from stdin: " + e.getMessage());
        }
        if (key.isEmpty()) {
            throw CliException.usage("--api-key-stdin read nothing; pipe the key in, e.g. printf '%s' \"$KEY\" | gururmm login ...");
        }
        if (!key.startsWith("grmm_key_") || key.length() > 200 || !key.matches("[A-Za-z0-9_-]+")) {
            throw CliException.usage("What --api-key-stdin read is not an API key (they start with grmm_key_); create one with"
                    + " 'gururmm api-keys create --name NAME'.");
        }
        GuruClient client = new GuruClient(URI.create(url), key, pin());
        com.gururmm.protocol.api.Auth.UserView me;
        java.time.Instant expires = null;
        try {
            me = client.me();
            String prefix = key.substring(0, Math.min(key.length(), 13));
            var mine = client.apiKeys(false).stream().filter(k -> "active".equals(k.status()) && prefix.equals(k.prefix())).toList();
            if (mine.size() == 1) {
                expires = mine.getFirst().expiresAt();
            }
        } catch (GuruApiException e) {
            if (e.status() == 401 || e.status() == 400) {
                throw new CliException(ExitCode.NOT_LOGGED_IN, "Login to " + url + " with the API key failed: " + e.getMessage());
            }
            throw e;
        }
        store.save(url, new SavedLogin(me.email(), key, expires, pin(), true));
        terminal.out().println("Logged in to " + url + " with an API key of " + ControlChars.escape(me.email())
                + " (" + ControlChars.escape(me.role()) + ")" + (expires == null ? "" : "; the key expires at " + expires) + ".");
        return ExitCode.OK;
    }

    /** The --fingerprint given, normalised; else the one kept from the last login to this server. */
    private String pin() {
        if (fingerprint != null) {
            try {
                return com.gururmm.protocol.tls.CertificatePins.normalizeFingerprint(fingerprint);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--fingerprint " + e.getMessage());
            }
        }
        return pinnedBefore;
    }

    /** MFA: a code (6 digits) or a recovery code completes the login. */
    private LoginResponse secondStep(GuruClient client, LoginResponse challenge, String user, String url) {
        if (challenge.mfaEnrollmentRequired()) {
            throw new CliException(ExitCode.NOT_LOGGED_IN, "Your account must use MFA and has none yet: log in once in the dashboard at "
                    + url + " to set up an authenticator app, then log in here again.");
        }
        String code;
        if (totpStdin) {
            java.util.List<String> lines = stdinLines();
            code = lines.size() > (passwordStdin ? 1 : 0) ? lines.get(passwordStdin ? 1 : 0).strip() : "";
            if (code.isEmpty()) {
                throw CliException.usage("--totp-stdin read no code" + (passwordStdin ? " (the second line of stdin)" : "") + ".");
            }
        } else {
            char[] typed = terminal.readPassword("MFA code for " + user + " (or a recovery code): ");
            if (typed == null) {
                throw CliException.usage("This account uses MFA and there is no terminal to prompt for the code on; pipe it in with --totp-stdin.");
            }
            code = new String(typed).strip();
        }
        return code.matches("[0-9]{6}") ? client.verifyMfa(challenge.mfaToken(), code) : client.verifyMfaRecovery(challenge.mfaToken(), code);
    }

    private java.util.List<String> stdinLines() {
        if (stdinLines == null) {
            try {
                String text = new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8);
                stdinLines = java.util.List.of(text.split("\\R", -1));
            } catch (IOException e) {
                throw CliException.usage("Cannot read stdin: " + e.getMessage());
            }
        }
        return stdinLines;
    }

    private char[] password(String user, String url) {
        if (passwordStdin) {
            String stripped;
            if (totpStdin) {
                stripped = stdinLines().get(0);
            } else {
                // Like `docker login --password-stdin`: the line break `echo` adds is not part of the password.
                stripped = String.join("\n", stdinLines()).replaceAll("\\R+$", "");
            }
            if (stripped.isEmpty()) {
                throw CliException.usage("--password-stdin read an empty password.");
            }
            return stripped.toCharArray();
        }
        char[] typed = terminal.readPassword("Password for " + user + " at " + url + ": ");
        if (typed == null) {
            throw CliException.usage("No terminal to prompt for the password on; pipe it in with --password-stdin.");
        }
        return typed;
    }
}
