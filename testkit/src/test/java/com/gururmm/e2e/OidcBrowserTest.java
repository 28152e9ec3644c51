package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Single sign-on in a real browser: the dashboard's login page shows "Sign in with SSO" (it asks
 * {@code GET /api/auth/config}); clicking it goes to the OpenID Connect provider running in this
 * JVM (mock-oauth2-server with its interactive login form), where a user and their claims are
 * entered; the provider sends the browser back through the callback, and the dashboard ends up
 * signed in as the mapped technician, with the one-time handoff gone from the address bar.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OidcBrowserTest {
    private static DashboardBrowser browser;
    private static MockOAuth2Server provider;
    private static TestServer server;
    private static URI base;

    @BeforeAll
    static void start() {
        browser = DashboardBrowser.open();
        provider = new MockOAuth2Server(new OAuth2Config(true));
        provider.start();
        server = TestServer.start(TestDatabase.Kind.H2, OidcLoginTest.oidcEnv(provider, "browser-sso"));
        base = server.url();
        GuruClient admin = server.adminClient();
        admin.createSite(admin.createClient("Acme").id(), "HQ");
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        if (provider != null) {
            provider.shutdown();
        }
    }

    @Test
    void signInWithSsoThroughTheProvidersLoginForm() {
        browser.openSignedOut(base);
        var sso = browser.await(By.id("login-sso"));
        assertThat(sso.getText()).isEqualTo("Sign in with SSO");
        sso.click();

        // The provider's own login page.
        browser.type(By.name("username"), "browser-tech");
        browser.type(By.name("claims"), """
                {"email": "browser.tech@example.test", "groups": ["rmm-techs"], "gururmm_scope": ["Acme/HQ"]}""");
        browser.driver().findElement(By.cssSelector("input[type=submit]")).click();

        browser.awaitText(By.id("who"), "browser.tech@example.test", Duration.ofSeconds(30));
        assertThat(browser.textContent(By.cssSelector("#who .role"))).isEqualTo("technician");
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).until(d -> !d.getCurrentUrl().contains("sso="));
        assertThat(browser.driver().getCurrentUrl()).startsWith(base.toString()).doesNotContain("sso=");
        assertThat((String) browser.js("return sessionStorage.getItem('gururmm.token')")).isNotBlank();
        // The page works signed in: its first API calls pass with the SSO session.
        browser.await(By.id("main-nav"));
        assertThat(browser.cspViolations()).isEmpty();
        assertThat(browser.pageErrors()).isEmpty();
        // A refused callback (here a state never issued) brings a browser back to the login page, saying why.
        browser.js("sessionStorage.clear()");
        browser.driver().get(base + "/api/auth/oidc/callback?state=never-issued&code=x");
        browser.awaitText(By.id("login-notice"), "Single sign-on failed: The SSO 'state' is unknown", Duration.ofSeconds(15));
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("sso-error");
        assertThat(browser.pageErrors()).isEmpty();
        assertThat(server.adminClient().audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("auth.login");
            assertThat(e.target()).isEqualTo("browser.tech@example.test");
            assertThat(e.detail()).contains("with SSO");
        });
    }
}
