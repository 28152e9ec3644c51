package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.cli.config.CredentialStore;
import com.gururmm.client.GuruClient;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm logout} ends the session on the server, so a copy of the saved token stops working too. */
class CliLogoutTest {
    @TempDir
    Path configDir;

    @Test
    void logoutRevokesTheTokenOnTheServerBeforeForgettingIt() {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            Cli cli = new Cli(configDir);
            assertThat(cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", server.url().toString(), "--email",
                    TestServer.ADMIN_EMAIL, "--password-stdin").exitCode()).isZero();
            String token = new CredentialStore(configDir).login(server.url().toString()).orElseThrow().token();
            GuruClient copy = new GuruClient(server.url(), token);
            assertThat(copy.raw("GET", "/api/auth/me", null, Map.of()).status()).isEqualTo(200);

            Cli.Result logout = cli.run("logout");

            assertThat(logout.exitCode()).isZero();
            assertThat(logout.out()).isEqualTo("Logged out of " + server.url() + ".\n");
            assertThat(logout.err()).isEmpty();
            assertThat(copy.raw("GET", "/api/auth/me", null, Map.of()).status()).as("the copied token").isEqualTo(401);
            assertThat(new CredentialStore(configDir).login(server.url().toString())).isEmpty();
        }
    }
}
