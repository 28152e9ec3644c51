package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.cli.config.CredentialStore;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm login --fingerprint}: a self-signed HTTPS server is trusted by its pin, which later commands keep using. */
class CliTlsTest {
    @TempDir
    Path configDir;

    @Test
    void aSelfSignedServerIsReachedOnlyWithItsFingerprint() {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_TLS_SELF_SIGNED", "true"))) {
            String url = server.url().toString();
            Cli cli = new Cli(configDir);

            Cli.Result untrusted = cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", url, "--email", TestServer.ADMIN_EMAIL,
                    "--password-stdin");
            assertThat(untrusted.exitCode()).as(untrusted.toString()).isNotZero();
            assertThat(new CredentialStore(configDir).login(url)).isEmpty();

            Cli.Result wrongPin = cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", url, "--email", TestServer.ADMIN_EMAIL,
                    "--password-stdin", "--fingerprint", "00".repeat(32));
            assertThat(wrongPin.exitCode()).as(wrongPin.toString()).isNotZero();
            assertThat(new CredentialStore(configDir).login(url)).isEmpty();

            Cli.Result badPin = cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", url, "--email", TestServer.ADMIN_EMAIL,
                    "--password-stdin", "--fingerprint", "abc");
            assertThat(badPin.err()).contains("--fingerprint").contains("not a SHA-256 fingerprint");

            Cli.Result ok = cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", url, "--email", TestServer.ADMIN_EMAIL,
                    "--password-stdin", "--fingerprint", server.fingerprint());
            assertThat(ok.exitCode()).as(ok.toString()).isZero();
            Cli.Result whoami = cli.run("whoami");
            assertThat(whoami.exitCode()).as(whoami.toString()).isZero();
            assertThat(whoami.out()).contains(TestServer.ADMIN_EMAIL);
            assertThat(cli.run("agents", "list").exitCode()).isZero();
        }
    }
}
