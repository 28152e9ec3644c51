package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm clients|sites|users ...} against a real server: names resolve, scopes apply, changes take effect. */
class CliTenancyTest {
    @TempDir
    Path configDir;

    @TempDir
    Path techConfigDir;

    @Test
    void anAdminSetsUpClientsSitesAndAScopedTechnicianFromTheCommandLine() {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            Cli cli = new Cli(configDir);
            assertThat(cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", server.url().toString(), "--email",
                    TestServer.ADMIN_EMAIL, "--password-stdin").exitCode()).isZero();

            assertThat(cli.run("clients", "add", "Acme").exitCode()).isZero();
            assertThat(cli.run("clients", "add", "Globex").exitCode()).isZero();
            Cli.Result duplicate = cli.run("clients", "add", "ACME");
            assertThat(duplicate.exitCode()).as(duplicate.toString()).isEqualTo(ExitCode.API_ERROR);
            assertThat(duplicate.err()).contains("already exists");
            assertThat(cli.run("sites", "add", "--client", "acme", "HQ").exitCode()).isZero();
            assertThat(cli.run("sites", "add", "--client", "Globex", "HQ").exitCode()).isZero();

            Cli.Result ambiguous = cli.run("users", "add", "--email", "tech@example.test", "--role", "technician", "--site", "HQ",
                    "--password-stdin");
            assertThat(ambiguous.exitCode()).as(ambiguous.toString()).isEqualTo(ExitCode.USAGE);
            assertThat(ambiguous.err()).contains("Several sites are named 'HQ'");

            Cli.Result added = cli.runWithStdin("technician-password-1", "users", "add", "--email", "tech@example.test", "--role",
                    "technician", "--site", "Acme/HQ", "--password-stdin");
            assertThat(added.exitCode()).as(added.toString()).isZero();
            Cli.Result list = cli.run("users", "list");
            assertThat(list.out()).containsPattern("tech@example\\.test\\s+technician\\s+Acme/HQ\\s+false");

            JsonNode token = cli.run("enroll-token", "create", "--site", "Globex/HQ", "--output", "json").json();
            assertThat(token.get("client_name").asText()).isEqualTo("Globex");
            assertThat(token.get("site").asText()).isEqualTo("HQ");

            GuruClient tech = server.anonymousClient();
            tech.login("tech@example.test", "technician-password-1");
            assertThat(tech.clients()).extracting(c -> c.name()).containsExactly("Acme");

            assertThat(cli.run("users", "set-scope", "tech@example.test", "--client", "Globex").exitCode()).isZero();
            assertThat(tech.clients()).extracting(c -> c.name()).containsExactly("Globex");
            assertThat(cli.run("users", "list").out()).containsPattern("tech@example\\.test\\s+technician\\s+Globex/\\*");

            assertThat(cli.run("users", "disable", "tech@example.test").exitCode()).isZero();
            assertThat(tech.raw("GET", "/api/clients", null, Map.of()).status()).isEqualTo(401);
            assertThat(cli.run("users", "enable", "tech@example.test").exitCode()).isZero();

            JsonNode reset = cli.run("users", "reset-password", "tech@example.test", "--output", "json").json();
            String generated = reset.get("password").asText();
            Cli techCli = new Cli(techConfigDir);
            assertThat(techCli.runWithStdin(generated, "login", "--server", server.url().toString(), "--email", "tech@example.test",
                    "--password-stdin").exitCode()).isZero();
            assertThat(techCli.run("clients", "list").out()).contains("Globex").doesNotContain("Acme");
            assertThat(techCli.run("clients", "add", "Nope").exitCode()).isEqualTo(ExitCode.API_ERROR);

            assertThat(cli.run("sites", "delete", "Globex/HQ").exitCode()).isZero();
            assertThat(cli.run("users", "delete", "tech@example.test").exitCode()).isZero();
            assertThat(cli.run("users", "list").out()).doesNotContain("tech@example.test");
        }
    }
}
