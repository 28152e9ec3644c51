package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The API keys page in a real browser: a technician creates a key limited to one of their sites
 * (shown once, and it really works as a bearer), sees its last use, and revokes it (it stops
 * working); the role list never offers more than the user's own role.
 */
@Timeout(180)
class DashboardApiKeysTest {
    private static final String PASSWORD = "a long enough password";
    private static DashboardBrowser browser;
    private static TestServer server;
    private static URI base;

    @BeforeAll
    static void start() {
        browser = DashboardBrowser.open();
        server = TestServer.start(TestDatabase.Kind.H2);
        base = server.url();
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

    @Test
    void aTechnicianCreatesAKeyShownOnceUsesItAndRevokesIt() {
        GuruClient admin = server.adminClient();
        UUID client = admin.createClient("Acme").id();
        UUID hq = admin.createSite(client, "HQ").id();
        admin.createSite(client, "Branch");
        UserView tech = admin.createUser("dash-keys@example.test", PASSWORD, "technician", new ScopeView(List.of(client), List.of()));

        browser.login(base, tech.email(), PASSWORD);
        browser.await(By.id("main-nav"));
        browser.go(base, "#/api-keys");
        browser.await(By.id("no-keys"));
        assertThat(new Select(browser.await(By.id("key-role"))).getOptions()).extracting(WebElement::getText)
                .as("never more than one's own role").containsExactly("viewer", "technician");

        browser.type(By.id("key-name"), "<b>nightly</b> backup");
        browser.type(By.id("key-days"), "7");
        browser.await(By.cssSelector("#key-scope input[value='" + hq + "']")).click();
        browser.await(By.id("key-create")).click();
        String key = browser.textContent(By.id("new-key-value"));
        assertThat(key).startsWith("grmm_key_");

        // The key the page showed is the real one, limited to the site ticked.
        GuruClient withKey = new GuruClient(server.url(), key);
        assertThat(withKey.me().role()).isEqualTo("technician");
        assertThat(withKey.sites(null)).extracting(s -> s.id()).containsExactly(hq);

        browser.await(By.id("new-key-dismiss")).click();
        browser.driver.navigate().refresh();
        browser.awaitText(By.id("keys-table"), "nightly", Duration.ofSeconds(15));
        assertThat(browser.driver.getPageSource()).as("the server never returns a key twice").doesNotContain(key.substring(9));
        assertThat(browser.driver.findElements(By.cssSelector("#keys-table b"))).as("the name is text, not markup").isEmpty();
        String row = "#keys-table tr[data-key-id]";
        assertThat(browser.textContent(By.cssSelector(row + " .key-name"))).isEqualTo("<b>nightly</b> backup");
        assertThat(browser.textContent(By.cssSelector(row))).contains("Acme / HQ").contains(key.substring(0, 13));
        assertThat(browser.textContent(By.cssSelector(row + " .key-last-used"))).contains("from 127.0.0.1");

        browser.js("window.confirm = () => true");
        browser.await(By.cssSelector(row + " button.revoke")).click();
        browser.awaitText(By.cssSelector(row + " .key-status"), "revoked", Duration.ofSeconds(15));
        assertThat(withKey.raw("GET", "/api/auth/me", null, Map.of()).status()).isEqualTo(401);
        assertThat(browser.cspViolations()).isEmpty();
        assertThat(browser.pageErrors()).isEmpty();
    }
}
