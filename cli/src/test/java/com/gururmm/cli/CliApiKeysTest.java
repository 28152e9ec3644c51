package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gururmm api-keys ...} and {@code gururmm login --api-key-stdin} against a real server: a
 * key made from a password login is shown once, saved as the credential of another config dir,
 * works with its own (narrower) role, cannot make keys, and stops working when revoked.
 */
@Timeout(120)
class CliApiKeysTest {
    @TempDir
    Path adminDir;

    @TempDir
    Path scriptDir;

    @Test
    void aKeyMadeOnTheCommandLineLogsAScriptInAndStopsWhenRevoked() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            String url = server.url().toString();
            Cli admin = new Cli(adminDir);
            assertThat(admin.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", url, "--email", TestServer.ADMIN_EMAIL,
                    "--password-stdin").exitCode()).isZero();

            Cli.Result table = admin.run("api-keys", "create", "--name", "nightly report", "--role", "viewer", "--expires-in-days", "30");
            assertThat(table.exitCode()).as(table.toString()).isZero();
            assertThat(table.out()).containsPattern("key\\s+grmm_key_").containsPattern("role\\s+viewer");
            assertThat(table.err()).contains("not shown again");
            JsonNode created = admin.run("api-keys", "create", "--name", "backup", "--role", "viewer", "--output", "json").json();
            String key = created.get("key").asText();
            assertThat(key).startsWith("grmm_key_");
            assertThat(created.get("role").asText()).isEqualTo("viewer");

            Cli.Result listed = admin.run("api-keys", "list", "--output", "json");
            assertThat(listed.exitCode()).isZero();
            assertThat(listed.json()).hasSize(2);
            assertThat(listed.out()).doesNotContain(key.substring("grmm_key_".length()));
            assertThat(listed.json().get(0).get("status").asText()).isEqualTo("active");
            assertThat(admin.run("api-keys", "list").out()).contains("backup").contains("nightly report").contains("never");

            // Not a key at all: a usage error; a well-formed but unknown key: not logged in, nothing saved.
            Cli script = new Cli(scriptDir);
            assertThat(script.runWithStdin("hunter2\n", "login", "--server", url, "--api-key-stdin").exitCode()).isEqualTo(ExitCode.USAGE);
            Cli.Result forged = script.runWithStdin("grmm_key_" + "B".repeat(43) + "\n", "login", "--server", url, "--api-key-stdin");
            assertThat(forged.exitCode()).as(forged.toString()).isEqualTo(ExitCode.NOT_LOGGED_IN);
            assertThat(scriptDir.resolve("credentials.json")).doesNotExist();
            assertThat(script.runWithStdin(key + "\n", "login", "--server", url, "--api-key-stdin", "--email", "x@example.test").exitCode())
                    .isEqualTo(ExitCode.USAGE);

            Cli.Result login = script.runWithStdin(key + "\n", "login", "--server", url, "--api-key-stdin");
            assertThat(login.exitCode()).as(login.toString()).isZero();
            assertThat(login.out()).contains("API key").contains(TestServer.ADMIN_EMAIL).contains("(viewer)").contains("expires");
            Path credentials = scriptDir.resolve("credentials.json");
            assertThat(Files.readString(credentials)).contains(key).contains("\"api_key\" : true");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");

            JsonNode me = script.run("whoami", "--output", "json").json();
            assertThat(me.get("email").asText()).isEqualTo(TestServer.ADMIN_EMAIL);
            assertThat(me.get("role").asText()).as("the key's role, not the owner's").isEqualTo("viewer");
            assertThat(me.get("expires_at").isNull()).isFalse();
            assertThat(script.run("agents", "list", "--output", "json").exitCode()).isZero();
            Cli.Result viewerCannot = script.run("clients", "add", "Nope");
            assertThat(viewerCannot.exitCode()).isEqualTo(ExitCode.API_ERROR);
            Cli.Result mint = script.run("api-keys", "create", "--name", "child");
            assertThat(mint.exitCode()).as(mint.toString()).isEqualTo(ExitCode.API_ERROR);
            assertThat(mint.err()).contains("API key cannot");
            assertThat(admin.run("api-keys", "list", "--output", "json").json()).hasSize(2);

            // The admin revokes it by name: the script's next command is refused at once.
            Cli.Result revoked = admin.run("api-keys", "revoke", "backup");
            assertThat(revoked.exitCode()).as(revoked.toString()).isZero();
            Cli.Result after = script.run("whoami");
            assertThat(after.exitCode()).as(after.toString()).isEqualTo(ExitCode.NOT_LOGGED_IN);
            assertThat(after.err()).contains("revoked");
            assertThat(admin.run("api-keys", "revoke", "backup").exitCode()).as("no active key of that name").isEqualTo(ExitCode.USAGE);

            // Logging out of a key login forgets it locally and says it stays valid on the server.
            JsonNode other = admin.run("api-keys", "create", "--name", "kept", "--output", "json").json();
            assertThat(script.runWithStdin(other.get("key").asText(), "login", "--server", url, "--api-key-stdin").exitCode()).isZero();
            Cli.Result logout = script.run("logout");
            assertThat(logout.exitCode()).isZero();
            assertThat(logout.out()).contains("stays valid");
            GuruClient stillValid = new GuruClient(server.url(), other.get("key").asText());
            assertThat(stillValid.raw("GET", "/api/auth/me", null, Map.of()).status()).isEqualTo(200);
        }
    }
}
