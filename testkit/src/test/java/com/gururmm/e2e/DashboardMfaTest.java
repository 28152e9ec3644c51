package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * MFA in the dashboard, in a real browser: enrol on the Security page (QR code shown, key read
 * off the page, code computed here), recovery codes shown once, then a login that asks for a
 * code; and a user whom the policy requires to enrol sets MFA up on the login page itself.
 */
class DashboardMfaTest {
    private static final String PASSWORD = "a long enough password";
    private static DashboardBrowser browser;
    private static TestServer server;
    private static URI base;
    private static GuruClient admin;

    @BeforeAll
    static void start() {
        browser = DashboardBrowser.open();
        server = TestServer.start(TestDatabase.Kind.H2);
        base = server.url();
        admin = server.adminClient();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static byte[] base32(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteBuffer out = ByteBuffer.allocate(text.length() * 5 / 8);
        long buffer = 0;
        int bits = 0;
        for (char c : text.trim().toCharArray()) {
            buffer = (buffer << 5) | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return out.array();
    }

    /** {@code DASHBOARD_SCREENSHOTS=<dir>}: leaves a picture of the enrolment page there for a look. */
    private static void screenshotIfAsked(String name) {
        String dir = System.getenv("DASHBOARD_SCREENSHOTS");
        if (dir != null && !dir.isBlank()) {
            try {
                java.nio.file.Files.write(java.nio.file.Path.of(dir, name), browser.screenshot());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static void assertQrShown(By qr) {
        Object width = browser.js("return arguments[0].naturalWidth", browser.await(qr));
        assertThat(((Number) width).intValue()).as("the QR image decoded").isGreaterThan(100);
    }

    @Test
    void enrolOnTheSecurityPageThenSignInWithACode() {
        UserView user = admin.createUser("dash-mfa@example.test", PASSWORD, "technician");
        browser.login(base, user.email(), PASSWORD);
        browser.await(By.id("main-nav"));
        browser.go(base, "#/security");
        assertThat(browser.await(By.id("mfa-state")).getText()).contains("off");
        assertThat(browser.await(By.id("tls-fingerprint")).getText()).contains("plain HTTP");
        browser.type(By.id("mfa-enroll-password"), PASSWORD);
        browser.await(By.id("mfa-enroll")).click();

        assertQrShown(By.id("mfa-qr"));
        screenshotIfAsked("mfa-enrol.png");
        byte[] secret = base32(browser.textContent(By.id("mfa-secret")));
        browser.type(By.id("mfa-code"), "000000".equals(MfaTest.code(secret, MfaTest.step())) ? "111111" : "000000");
        browser.await(By.id("mfa-confirm")).click();
        browser.awaitText(By.id("security-error"), "code is wrong", Duration.ofSeconds(10));

        browser.type(By.id("mfa-code"), MfaTest.code(secret, MfaTest.step()));
        browser.await(By.id("mfa-confirm")).click();
        List<String> codes = List.of(browser.textContent(By.id("mfa-recovery-codes")).split("(?=[a-z2-7]{5}-)"));
        assertThat(codes).hasSize(10);
        browser.await(By.id("mfa-recovery-done")).click();
        assertThat(browser.await(By.id("mfa-state")).getText()).contains("on").contains("Recovery codes left: 10");

        // Sign out and in again: the password is not enough, the code from the app is.
        browser.await(By.id("logout")).click();
        browser.login(base, user.email(), PASSWORD);
        browser.type(By.id("login-code"), MfaTest.code(secret, MfaTest.step() + 1));
        browser.await(By.id("login-code-submit")).click();
        assertThat(browser.await(By.id("who")).getText()).contains(user.email());
        assertThat(browser.cspViolations()).isEmpty();
        assertThat(browser.pageErrors()).isEmpty();
    }

    @Test
    void aUserThePolicyRequiresToEnrolSetsMfaUpAtSignIn() {
        UserView viewer = admin.createUser("dash-policy@example.test", PASSWORD, "viewer");
        admin.setMfaPolicy(List.of("viewer"));
        try {
            browser.login(base, viewer.email(), PASSWORD);
            assertQrShown(By.id("login-mfa-qr"));
            byte[] secret = base32(browser.textContent(By.id("login-mfa-secret")));
            browser.type(By.id("login-code"), MfaTest.code(secret, MfaTest.step()));
            browser.await(By.id("login-code-submit")).click();
            assertThat(browser.textContent(By.id("login-recovery-codes"))).matches("([a-z2-7]{5}-[a-z2-7]{5}){10}");
            browser.await(By.id("login-recovery-done")).click();
            assertThat(browser.await(By.id("who")).getText()).contains(viewer.email());
            assertThat(browser.pageErrors()).isEmpty();
        } finally {
            admin.setMfaPolicy(List.of());
        }
    }
}
