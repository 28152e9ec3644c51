package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.cli.config.CredentialStore;
import com.gururmm.cli.config.SavedLogin;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input ends in one line on stderr, no stack trace and the documented
 * exit code. Needs a server but no agent processes: the agents here are enrolled through
 * the API and stay offline.
 */
class CliBadInputTest {
    private static TestServer server;
    private static UUID twinA;
    private static UUID twinB;

    @TempDir
    Path configDir;
    private Cli cli;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(TestDatabase.Kind.H2);
        GuruClient admin = server.adminClient();
        twinA = enroll(admin, "twin");
        twinB = enroll(admin, "twin");
    }

    private static UUID enroll(GuruClient admin, String hostname) {
        String token = server.enrollmentToken();
        String machine = UUID.randomUUID().toString().replace("-", "");
        return admin.enroll(new EnrollRequest(token, UUID.randomUUID().toString(), machine, hostname, "linux", "amd64", "0.1.0", "stable")).agentId();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void logIn() {
        cli = new Cli(configDir);
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", server.url() + "/", "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    /** The contract for every failure: the code, and one line that starts with "gururmm: ". */
    private static String failsWith(Cli.Result result, int exitCode) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
        assertThat(result.err()).as(result.toString()).startsWith("gururmm: ").endsWith("\n").doesNotContain("Exception", "\tat ");
        assertThat(result.err().strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.out()).isEmpty();
        return result.err().strip();
    }

    @Test
    void unknownAgent() {
        assertThat(failsWith(cli.run("agents", "show", "mail01"), ExitCode.USAGE))
                .isEqualTo("gururmm: No agent matches 'mail01' by id, id prefix or hostname; 'gururmm agents list' shows them.");
        assertThat(failsWith(cli.run("run", "--agent", UUID.randomUUID().toString(), "-t", "sh", "-c", "true"), ExitCode.USAGE))
                .startsWith("gururmm: No agent with id ");
    }

    @Test
    void ambiguousHostnameListsTheCandidates() {
        assertThat(failsWith(cli.run("run", "--agent", "twin", "--type", "sh", "--command", "true"), ExitCode.USAGE))
                .contains("'twin' is ambiguous: 2 agents match", twinA + " (twin, offline, by hostname)", twinB + " (twin, offline, by hostname)");
        assertThat(server.adminClient().agentCommands(twinA)).as("nothing was submitted").isEmpty();
    }

    @Test
    void serverUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        new CredentialStore(configDir).save(url, new SavedLogin("a@example.test", "token", Instant.now().plusSeconds(3600)));
        assertThat(failsWith(cli.run("agents", "list", "--server", url), ExitCode.UNREACHABLE))
                .isEqualTo("gururmm: Cannot reach the server at " + url + ": connection refused. Check the URL and that the server is running.");
        failsWith(cli.runWithStdin("pw", "login", "--server", url, "--email", "a@example.test", "--password-stdin"), ExitCode.UNREACHABLE);
    }

    @Test
    void expiredLoginSaysHowToLogInAgain() {
        String url = server.url().toString();
        new CredentialStore(configDir).save(url, new SavedLogin(TestServer.ADMIN_EMAIL, "stale", Instant.parse("2020-01-01T00:00:00Z")));
        assertThat(failsWith(cli.run("agents", "list"), ExitCode.NOT_LOGGED_IN)).isEqualTo("gururmm: Your login to " + url
                + " expired at 2020-01-01T00:00:00Z. Run 'gururmm login --server " + url + " --email " + TestServer.ADMIN_EMAIL + "' to log in again.");
    }

    @Test
    void tokenTheServerRejects() {
        new CredentialStore(configDir).save(server.url().toString(), new SavedLogin(TestServer.ADMIN_EMAIL, "forged", Instant.now().plusSeconds(3600)));
        assertThat(failsWith(cli.run("whoami"), ExitCode.NOT_LOGGED_IN))
                .startsWith("gururmm: the server rejected your login: ").endsWith("Run 'gururmm login' to log in again.");
    }

    @Test
    void notLoggedInAndLoggedOut() {
        assertThat(cli.run("logout").out()).isEqualTo("Logged out of " + server.url() + ".\n");
        assertThat(failsWith(cli.run("agents", "list"), ExitCode.NOT_LOGGED_IN))
                .isEqualTo("gururmm: Not logged in. Run 'gururmm login --server URL --email EMAIL' first.");
    }

    @Test
    void wrongPassword() {
        assertThat(failsWith(cli.runWithStdin("wrong", "login", "--email", TestServer.ADMIN_EMAIL, "--password-stdin"), ExitCode.NOT_LOGGED_IN))
                .startsWith("gururmm: Login to " + server.url() + " failed: ");
    }

    @Test
    void noTerminalForThePasswordPrompt() {
        assertThat(failsWith(cli.run("login", "--email", TestServer.ADMIN_EMAIL), ExitCode.USAGE))
                .isEqualTo("gururmm: No terminal to prompt for the password on; pipe it in with --password-stdin.");
    }

    @Test
    void scriptFileThatDoesNotExist(@TempDir Path dir) {
        Path missing = dir.resolve("fix.ps1");
        assertThat(failsWith(cli.run("run", "--agent", "twin", "--file", missing.toString()), ExitCode.USAGE))
                .isEqualTo("gururmm: Script file '" + missing + "' does not exist.");
    }

    @Test
    void serverRefusal4xx() {
        UUID unknown = UUID.randomUUID();
        assertThat(failsWith(cli.run("enroll-token", "revoke", unknown.toString()), ExitCode.API_ERROR))
                .startsWith("gururmm: the server refused the request (404 not_found): ").contains(unknown.toString());
        assertThat(failsWith(cli.run("command", "cancel", unknown.toString()), ExitCode.API_ERROR)).contains("404");
    }

    @Test
    void usageErrors() {
        assertThat(failsWith(cli.run("run", "--type", "sh", "--command", "true"), ExitCode.USAGE)).contains("--agent");
        assertThat(failsWith(cli.run("run", "-a", "twin", "-t", "fish", "-c", "true"), ExitCode.USAGE))
                .contains("Unknown --type 'fish'; use one of powershell, bash, sh, cmd, python.");
        assertThat(failsWith(cli.run("run", "-a", "twin", "-t", "sh", "-c", "true", "--context", "root"), ExitCode.USAGE))
                .contains("--context must be system or user_session");
        assertThat(failsWith(cli.run("run", "-a", "twin", "-t", "sh", "-c", "x", "-f", "y.sh"), ExitCode.USAGE)).contains("mutually exclusive");
        assertThat(failsWith(cli.run("agents", "list", "--bogus"), ExitCode.USAGE)).contains("Unknown option: '--bogus'", "gururmm agents list --help");
        assertThat(failsWith(cli.run("command", "show", "not-an-id"), ExitCode.USAGE)).contains("'not-an-id' is not an id");
        assertThat(failsWith(cli.run("agents", "list", "-o", "yaml"), ExitCode.USAGE)).contains("yaml");
        assertThat(failsWith(cli.run("login", "--server", "ftp://x", "--email", "e"), ExitCode.USAGE)).contains("'ftp://x' is not a server URL");
        failsWith(cli.run(), ExitCode.USAGE);
    }

    @Test
    void debugShowsTheStackTrace() {
        Cli.Result result = cli.run("agents", "show", "mail01", "--debug");
        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("CliException", "\tat com.gururmm.cli.agents.AgentResolver.resolve");
    }

    @Test
    void helpVersionAndCompletion() {
        Cli.Result help = cli.run("run", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Examples:", "gururmm run --agent web01 --file fix.ps1 --wait", "--context=CONTEXT");
        assertThat(cli.run("--version").out()).matches("gururmm \\d+\\.\\d+\\.\\d+.*\\n");
        Cli.Result completion = cli.run("completion");
        assertThat(completion.exitCode()).isZero();
        assertThat(completion.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_gururmm", "enroll-token");
    }
}
