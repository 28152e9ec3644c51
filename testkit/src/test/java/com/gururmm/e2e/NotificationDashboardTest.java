package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.api.Notifications.RuleView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/** The notification settings page in a real browser: add a webhook, send a test, add a rule, read the delivery log. */
class NotificationDashboardTest {
    private static DashboardBrowser browser;
    private static TestServer server;
    private static LoopbackReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        browser = DashboardBrowser.open(); // first, so a missing browser skips before a server starts
        server = TestServer.start(TestDatabase.Kind.H2);
        receiver = new LoopbackReceiver();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void anAdminAddsAWebhookSendsATestAndRoutesAlertsToIt() throws Exception {
        browser.login(server.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
        assertThat(browser.driver.findElements(By.cssSelector("#main-nav a"))).extracting(e -> e.getText()).contains("Notifications");
        browser.go(server.url(), "#/admin/notifications");

        browser.type(By.id("channel-name"), "ops slack");
        new Select(browser.await(By.id("channel-preset"))).selectByValue("slack");
        browser.type(By.id("channel-url"), receiver.url("/slack-hook").toString());
        browser.driver.findElement(By.id("channel-create")).click();
        String secret = browser.textContent(By.id("new-channel-secret-value"));
        assertThat(secret).startsWith("grmm_whsec_");
        browser.awaitText(By.id("channels-table"), "ops slack", Duration.ofSeconds(10));
        assertThat(browser.textContent(By.id("channels-table"))).as("the webhook path is a credential").doesNotContain("slack-hook");

        browser.driver.findElement(By.cssSelector("#channels-table .test-channel")).click();
        browser.awaitText(By.id("test-result"), "delivered", Duration.ofSeconds(15));
        assertThat(receiver.received()).hasSize(1);
        LoopbackReceiver.Received got = receiver.received().get(0);
        assertThat(got.header("X-GuruRMM-Signature"))
                .isEqualTo(NotificationWebhookTest.expectedSignature(secret, got.header("X-GuruRMM-Timestamp"), got.body()));
        assertThat(got.text()).contains("\"text\"");

        browser.type(By.id("rule-name"), "hq criticals");
        new Select(browser.await(By.id("rule-severity"))).selectByValue("critical");
        browser.type(By.id("rule-site"), "hq");
        browser.driver.findElement(By.cssSelector("#rule-channels input[name=rule-channel]")).click();
        browser.driver.findElement(By.id("rule-create")).click();
        browser.awaitText(By.id("rules-table"), "hq criticals", Duration.ofSeconds(10));
        List<RuleView> rules = server.adminClient().notificationRules();
        assertThat(rules).singleElement().satisfies(r -> {
            assertThat(r.minSeverity()).isEqualTo("critical");
            assertThat(r.site()).isEqualTo("hq");
            assertThat(r.channelIds()).hasSize(1);
        });

        browser.awaitText(By.id("deliveries-table"), "test", Duration.ofSeconds(10));
        assertThat(browser.textContent(By.id("deliveries-table"))).contains("delivered").contains("ops slack");
        assertThat(browser.pageErrors()).isEmpty();
    }
}
