package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.cli.config.CredentialStore;
import com.gururmm.client.GuruClient;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm login} with MFA: the code from stdin ({@code --totp-stdin}), a wrong one refused, a recovery code accepted. */
class CliMfaTest {
    @TempDir
    Path configDir;

    /** RFC 6238 with SHA-1, 6 digits, computed here (not with the server's code). */
    private static String code(String base32, long step) throws Exception {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteBuffer secret = ByteBuffer.allocate(base32.length() * 5 / 8);
        long buffer = 0;
        int bits = 0;
        for (char c : base32.toCharArray()) {
            buffer = (buffer << 5) | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                secret.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.array(), "HmacSHA1"));
        byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
        int o = h[19] & 0xf;
        return String.format("%06d", ((h[o] & 0x7f) << 24 | (h[o + 1] & 0xff) << 16 | (h[o + 2] & 0xff) << 8 | (h[o + 3] & 0xff)) % 1_000_000);
    }

    private static long step() throws InterruptedException {
        long now = System.currentTimeMillis();
        if (now % 30_000 > 27_000) {
            Thread.sleep(30_000 - now % 30_000 + 100);
        }
        return System.currentTimeMillis() / 30_000;
    }

    @Test
    void loginReadsTheCodeFromStdinAfterThePassword() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            GuruClient admin = server.adminClient();
            String secret = admin.enrollTotp(TestServer.ADMIN_PASSWORD).secret();
            List<String> recovery = admin.confirmTotp(code(secret, step() - 1)).recoveryCodes();
            String url = server.url().toString();
            Cli cli = new Cli(configDir);

            Cli.Result noCode = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n", "login", "--server", url, "--email",
                    TestServer.ADMIN_EMAIL, "--password-stdin");
            assertThat(noCode.exitCode()).as(noCode.toString()).isNotZero();
            assertThat(noCode.err()).contains("--totp-stdin");

            Cli.Result wrong = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n" + code(secret, step() + 9) + "\n", "login", "--server", url,
                    "--email", TestServer.ADMIN_EMAIL, "--password-stdin", "--totp-stdin");
            assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(ExitCode.NOT_LOGGED_IN);
            assertThat(wrong.err()).contains("code is wrong");
            assertThat(new CredentialStore(configDir).login(url)).isEmpty();

            Cli.Result ok = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n" + code(secret, step()) + "\n", "login", "--server", url,
                    "--email", TestServer.ADMIN_EMAIL, "--password-stdin", "--totp-stdin");
            assertThat(ok.exitCode()).as(ok.toString()).isZero();
            assertThat(cli.run("whoami").out()).contains(TestServer.ADMIN_EMAIL);

            Cli.Result viaRecovery = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n" + recovery.get(3) + "\n", "login", "--server", url,
                    "--email", TestServer.ADMIN_EMAIL, "--password-stdin", "--totp-stdin");
            assertThat(viaRecovery.exitCode()).as(viaRecovery.toString()).isZero();
        }
    }
}
