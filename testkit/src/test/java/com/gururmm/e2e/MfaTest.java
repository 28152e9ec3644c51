package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.protocol.api.Mfa.TotpEnrollment;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10, MFA end to end through the typed client: enrolment (secret, otpauth URI, QR), login
 * with a code this test computes itself from the enrolled secret (its own RFC 6238, not the
 * server's), wrong and replayed codes refused and audited with nothing changed, one step of
 * drift accepted, recovery codes single-use, wrong codes throttled, turning MFA off, the admin
 * policy and the admin reset.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class MfaTest {
    private static final String PASSWORD = "a long enough password";

    @Parameter
    TestDatabase.Kind kind;

    private TestServer server;
    private GuruClient admin;

    @BeforeEach
    void start() {
        server = TestServer.start(kind);
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // --- an authenticator app, written from RFC 6238 in this test ---

    /** The secret of the {@code otpauth://} URI, decoded from base32 here. */
    static byte[] secretOf(TotpEnrollment enrollment) {
        String query = URI.create(enrollment.otpauthUri()).getRawQuery();
        String secret = Stream.of(query.split("&")).filter(p -> p.startsWith("secret=")).findFirst().orElseThrow().substring(7);
        assertThat(secret).isEqualTo(enrollment.secret());
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteBuffer out = ByteBuffer.allocate(secret.length() * 5 / 8);
        long buffer = 0;
        int bits = 0;
        for (char c : secret.toCharArray()) {
            buffer = (buffer << 5) | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return out.array();
    }

    static String code(byte[] secret, long step) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int o = h[19] & 0xf;
            int v = ((h[o] & 0x7f) << 24 | (h[o + 1] & 0xff) << 16 | (h[o + 2] & 0xff) << 8 | (h[o + 3] & 0xff)) % 1_000_000;
            return String.format("%06d", v);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The current 30-second step, waiting out the last 3 s of a step so a code is not at its edge when it arrives. */
    static long step() {
        long now = System.currentTimeMillis();
        if (now % 30_000 > 27_000) {
            try {
                Thread.sleep(30_000 - now % 30_000 + 100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return System.currentTimeMillis() / 30_000;
    }

    // --- helpers ---

    private UserView newUser(String role) {
        return admin.createUser(role + "-" + UUID.randomUUID() + "@example.test", PASSWORD, role);
    }

    private GuruClient loggedIn(String email) {
        GuruClient client = server.anonymousClient();
        LoginResponse r = client.login(email, PASSWORD);
        assertThat(r.mfaRequired()).isFalse();
        return client;
    }

    /** Enrols TOTP for the user of {@code client}, confirming with the previous step's code; returns the secret. */
    private byte[] enrol(GuruClient client, List<String> recoveryOut) {
        TotpEnrollment e = client.enrollTotp(PASSWORD);
        byte[] secret = secretOf(e);
        recoveryOut.addAll(client.confirmTotp(code(secret, step() - 1)).recoveryCodes());
        return secret;
    }

    private List<String> actions() {
        return admin.audit().stream().map(AuditEntry::action).toList();
    }

    private static void assertStatus(Runnable call, int status, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(GuruApiException.class, e -> {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    private int sessionCount() {
        return Integer.parseInt(query("SELECT COUNT(*) FROM sessions"));
    }

    /** Every value of a table, as a database dump would show them. */
    private String dump(String table) {
        return query("SELECT * FROM " + table);
    }

    private String query(String sql) {
        StringBuilder out = new StringBuilder();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(server.database().jdbcUrl());
             java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.append(i > 1 ? "," : "").append(rs.getString(i));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    // --- tests ---

    @Test
    void enrolmentNeedsTheCurrentPasswordSoAStolenSessionCannotBindAnAuthenticator() {
        UserView user = newUser("technician");
        GuruClient client = loggedIn(user.email());
        assertThatThrownBy(() -> client.enrollTotp("not the password")).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> client.enrollTotp(null)).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));
        assertThat(client.raw("GET", "/api/auth/mfa", null, java.util.Map.of()).body()).contains("\"enrollment_pending\":false");
        // The right password starts it as before.
        assertThat(client.enrollTotp(PASSWORD).secret()).isNotBlank();
    }

    @Test
    void enrolThenLoginNeedsACodeWrongAndReplayedCodesAreRefusedAndChangeNothing() {
        UserView user = newUser("technician");
        GuruClient client = loggedIn(user.email());

        TotpEnrollment enrollment = client.enrollTotp(PASSWORD);
        assertThat(enrollment.otpauthUri()).startsWith("otpauth://totp/GuruRMM:").contains("issuer=GuruRMM").contains("period=30");
        assertThat(URLDecoder.decode(enrollment.otpauthUri(), StandardCharsets.UTF_8)).contains(user.email());
        assertThat(enrollment.qrCode()).startsWith("data:image/svg+xml;base64,");
        byte[] secret = secretOf(enrollment);
        assertThat(secret).hasSize(20);
        // Not active until confirmed: login still answers a session.
        assertThat(client.mfaStatus().enrollmentPending()).isTrue();
        loggedIn(user.email());

        // A wrong confirmation changes nothing and is audited.
        String wrong = code(secret, step() + 5);
        assertStatus(() -> client.confirmTotp(wrong), 400, "code is wrong");
        assertThat(client.mfaStatus().totpEnabled()).isFalse();
        assertThat(actions()).contains("auth.mfa_confirm_failed");

        long step = step();
        List<String> recovery = client.confirmTotp(code(secret, step)).recoveryCodes();
        assertThat(recovery).hasSize(10).doesNotHaveDuplicates();
        assertThat(client.mfaStatus().totpEnabled()).isTrue();
        assertThat(client.mfaStatus().recoveryCodesLeft()).isEqualTo(10);
        assertThat(actions()).contains("auth.mfa_enabled");
        // The secret is sealed: the database does not hold it in any readable form.
        assertThat(dump("user_totp")).doesNotContain(enrollment.secret()).contains("v1:");

        // The password alone gives no session.
        GuruClient login = server.anonymousClient();
        int sessionsBefore = sessionCount();
        LoginResponse challenge = login.login(user.email(), PASSWORD);
        assertThat(challenge.mfaRequired()).isTrue();
        assertThat(challenge.token()).isNull();
        assertThat(challenge.mfaToken()).startsWith("grmm_mfa_");
        assertThat(login.token()).isNull();

        // A wrong code: refused, audited, no session.
        assertStatus(() -> login.verifyMfa(challenge.mfaToken(), code(secret, step + 7)), 401, "code is wrong");
        assertThat(actions()).contains("auth.mfa_failed");
        // The code already used to confirm: a replay, refused, and the challenge is still good.
        assertStatus(() -> login.verifyMfa(challenge.mfaToken(), code(secret, step)), 401, "already used");
        assertThat(actions()).contains("auth.mfa_replayed");
        assertThat(sessionCount()).isEqualTo(sessionsBefore);
        assertThat(login.token()).isNull();

        // One step of drift ahead is accepted, and completes this same challenge.
        LoginResponse session = login.verifyMfa(challenge.mfaToken(), code(secret, step + 1));
        assertThat(session.token()).isNotNull();
        assertThat(login.me().email()).isEqualTo(user.email());
        assertThat(sessionCount()).isEqualTo(sessionsBefore + 1);
        // The challenge is single-use...
        assertStatus(() -> server.anonymousClient().verifyMfa(challenge.mfaToken(), code(secret, step + 1)), 401, "unknown, used or expired");
        // ...and so is the code: a new login with it is a replay; so is any older step.
        LoginResponse again = server.anonymousClient().login(user.email(), PASSWORD);
        GuruClient other = server.anonymousClient();
        assertStatus(() -> other.verifyMfa(again.mfaToken(), code(secret, step + 1)), 401, "already used");
        assertStatus(() -> other.verifyMfa(again.mfaToken(), code(secret, step - 1)), 401, "already used");
        // Two steps ahead is outside the window.
        assertStatus(() -> other.verifyMfa(again.mfaToken(), code(secret, step + 3)), 401, "code is wrong");
        assertThat(sessionCount()).isEqualTo(sessionsBefore + 1);
        // Bad input names the field.
        assertStatus(() -> other.verifyMfa(again.mfaToken(), null), 400, "exactly one");
        assertStatus(() -> other.verifyMfa(null, "123456"), 400, "mfa_token");
    }

    @Test
    void recoveryCodesWorkOnceEach() {
        UserView user = newUser("viewer");
        List<String> recovery = new java.util.ArrayList<>();
        enrol(loggedIn(user.email()), recovery);

        GuruClient a = server.anonymousClient();
        LoginResponse first = a.login(user.email(), PASSWORD);
        // Typed loosely (upper case, spaces for the dash) it still counts.
        a.verifyMfaRecovery(first.mfaToken(), recovery.get(0).toUpperCase().replace('-', ' '));
        assertThat(a.me().email()).isEqualTo(user.email());
        assertThat(a.mfaStatus().recoveryCodesLeft()).isEqualTo(9);
        assertThat(actions()).contains("auth.mfa_recovery_code_used");

        GuruClient b = server.anonymousClient();
        LoginResponse second = b.login(user.email(), PASSWORD);
        assertStatus(() -> b.verifyMfaRecovery(second.mfaToken(), recovery.get(0)), 401, "recovery code is wrong");
        assertStatus(() -> b.verifyMfaRecovery(second.mfaToken(), "aaaaa-bbbbb"), 401, "recovery code is wrong");
        b.verifyMfaRecovery(second.mfaToken(), recovery.get(1));
        assertThat(b.mfaStatus().recoveryCodesLeft()).isEqualTo(8);
    }

    @Test
    void wrongCodesCountAsFailedLoginsAndBurnTheChallenge() {
        UserView user = newUser("viewer");
        byte[] secret = enrol(loggedIn(user.email()), new java.util.ArrayList<>());
        GuruClient c = server.anonymousClient();
        LoginResponse challenge = c.login(user.email(), PASSWORD);
        long step = step();
        for (int i = 0; i < 5; i++) {
            String wrong = code(secret, step + 10 + i);
            assertStatus(() -> c.verifyMfa(challenge.mfaToken(), wrong), 401, "wrong");
        }
        // Five wrong codes: the challenge is spent, and the account at this address is throttled.
        assertStatus(() -> c.verifyMfa(challenge.mfaToken(), code(secret, step + 1)), 401, "unknown, used or expired");
        assertStatus(() -> c.login(user.email(), PASSWORD), 429, "Too many failed logins");
    }

    @Test
    void turningMfaOffNeedsThePasswordAndACurrentCode() {
        UserView user = newUser("viewer");
        GuruClient client = loggedIn(user.email());
        byte[] secret = enrol(client, new java.util.ArrayList<>());
        long step = step();
        assertStatus(() -> client.disableTotp("not the password", code(secret, step + 1), null), 403, "MFA stays on");
        assertStatus(() -> client.disableTotp(PASSWORD, code(secret, step + 9), null), 403, "MFA stays on");
        assertStatus(() -> client.disableTotp(PASSWORD, null, null), 400, "exactly one");
        assertThat(client.mfaStatus().totpEnabled()).isTrue();
        assertThat(actions()).contains("auth.mfa_disable_failed");
        client.disableTotp(PASSWORD, code(secret, step + 1), null);
        assertThat(client.mfaStatus().totpEnabled()).isFalse();
        assertThat(actions()).contains("auth.mfa_disabled");
        loggedIn(user.email()); // the password alone again
    }

    @Test
    void policyRequiresMfaForARoleAndAnAdminCanResetIt() {
        UserView tech = newUser("technician");
        UserView viewer = newUser("viewer");
        GuruClient techSession = loggedIn(tech.email());

        // An admin without MFA cannot require it of admins (that would lock them out).
        assertStatus(() -> admin.setMfaPolicy(List.of("admin")), 409, "your own account first");
        assertStatus(() -> admin.setMfaPolicy(List.of("root")), 400, "required_roles");
        assertThat(admin.mfaPolicy().requiredRoles()).isEmpty();

        assertThat(admin.setMfaPolicy(List.of("technician")).requiredRoles()).containsExactly("technician");
        assertThat(actions()).contains("settings.mfa");
        // The technician's existing session stops; the viewer is unaffected.
        assertStatus(techSession::me, 401, "MFA is required for the technician role");
        loggedIn(viewer.email());

        // The technician's login leads to enrolment, and the first code completes it and the login.
        GuruClient login = server.anonymousClient();
        LoginResponse challenge = login.login(tech.email(), PASSWORD);
        assertThat(challenge.mfaRequired()).isTrue();
        assertThat(challenge.mfaEnrollmentRequired()).isTrue();
        assertThat(login.token()).isNull();
        assertStatus(() -> login.verifyMfa(challenge.mfaToken(), "123456"), 400, "Start the set-up first");
        byte[] secret = secretOf(login.enrollTotpAtLogin(challenge.mfaToken()));
        LoginResponse done = login.verifyMfa(challenge.mfaToken(), code(secret, step()));
        assertThat(done.recoveryCodes()).hasSize(10);
        assertThat(login.me().email()).isEqualTo(tech.email());
        assertThat(login.mfaStatus().requiredForRole()).isTrue();
        // Required: it cannot be turned off by the user.
        assertStatus(() -> login.disableTotp(PASSWORD, code(secret, step() + 1), null), 409, "required");

        // Lost phone: the admin resets it (audited); the next login sets it up again.
        admin.resetUserMfa(tech.id());
        assertThat(actions()).contains("auth.mfa_reset");
        assertStatus(login::me, 401, "This session was ended");
        assertThat(server.anonymousClient().login(tech.email(), PASSWORD).mfaEnrollmentRequired()).isTrue();

        // Policy off: the technician logs in with the password alone again.
        admin.setMfaPolicy(List.of());
        assertThat(admin.mfaPolicy().requiredRoles()).isEmpty();
        loggedIn(tech.email());
    }

    /** A reset follows a lost phone: a session the old factor let in ends, even where MFA is optional. */
    @Test
    void anAdminResetEndsTheUsersSessions() {
        UserView tech = newUser("technician");
        GuruClient session = loggedIn(tech.email());
        byte[] secret = enrol(session, new java.util.ArrayList<>());
        GuruClient mfaLogin = server.anonymousClient();
        LoginResponse challenge = mfaLogin.login(tech.email(), PASSWORD);
        mfaLogin.verifyMfa(challenge.mfaToken(), code(secret, step()));
        assertThat(mfaLogin.me().email()).isEqualTo(tech.email());

        admin.resetUserMfa(tech.id());
        assertStatus(mfaLogin::me, 401, "");
        assertStatus(session::me, 401, "");
        assertThat(admin.audit().stream().filter(e -> e.action().equals("auth.mfa_reset")).map(AuditEntry::detail))
                .anyMatch(d -> d.contains("session(s) ended") && !d.contains(", 0 session(s)"));
        // Optional MFA: the password alone lets them in again.
        loggedIn(tech.email());
    }

    @Test
    void theSecretKeyIsAPrivateFileInTheDataDir() throws Exception {
        Path key = server.dataDir().resolve("mfa-secret.key");
        assertThat(key).exists();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(server.server().config().describe()).containsEntry("GURURMM_MFA_KEY_FILE", "(data dir: mfa-secret.key)");
    }
}
