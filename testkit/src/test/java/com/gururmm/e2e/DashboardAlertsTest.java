package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/** The alerts page, the live count in the navigation and the checks page, in a real browser. */
class DashboardAlertsTest {
    private static DashboardBrowser browser;
    private static Fleet fleet;
    private static URI base;
    private static GuruClient admin;
    private static UUID agentId;

    @BeforeAll
    static void start() {
        browser = DashboardBrowser.open();
        fleet = Fleet.start(TestDatabase.Kind.H2);
        base = fleet.server().url();
        admin = fleet.admin();
        agentId = fleet.onlineAgentId();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void addACheckSeeTheAlertLiveAcknowledgeAndResolveIt() {
        browser.login(base, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
        browser.awaitText(By.id("nav-alert-count"), "0", Duration.ofSeconds(15));

        browser.go(base, "#/checks");
        browser.await(By.id("check-form"));
        browser.type(By.id("check-scope"), agentId.toString());
        browser.type(By.id("check-key"), "dash-cpu");
        new Select(browser.await(By.id("check-severity"))).selectByValue("critical");
        browser.type(By.id("check-metric"), "cpu.percent");
        browser.type(By.id("check-threshold"), "20");
        browser.driver.findElement(By.id("check-add")).click();
        browser.await(By.cssSelector("#checks-table tr[data-key='dash-cpu']"));
        assertThat(admin.checks(Map.of())).singleElement().satisfies(c -> {
            assertThat(c.agentId()).isEqualTo(agentId);
            assertThat(c.threshold()).isEqualTo(20.0);
            assertThat(c.severity()).isEqualTo("critical");
        });

        // The fleet's alerts column: empty, then the count and worst severity arrive live (alert.changed), no reload.
        browser.go(base, "#/agents");
        By alertsCell = By.cssSelector("#agents-table tr[data-agent-id='" + agentId + "'] td[data-metric='alerts']");
        browser.await(alertsCell, Duration.ofSeconds(20));
        assertThat(browser.textContent(alertsCell)).isBlank();
        fleet.server().server().bus().publish(MetricsReceived.TOPIC, new MetricsReceived(agentId, Instant.now(), Map.of("cpu.percent", 88.0)));
        browser.awaitText(alertsCell, "1", Duration.ofSeconds(20));
        assertThat(browser.textContent(alertsCell)).contains("critical");
        assertThat(admin.alertCountsByAgent()).singleElement().satisfies(c -> {
            assertThat(c.agentId()).isEqualTo(agentId);
            assertThat(c.open()).isEqualTo(1);
            assertThat(c.worstSeverity()).isEqualTo("critical");
        });

        // Its link opens the alerts page filtered to that agent.
        browser.driver.findElement(By.cssSelector("#agents-table tr[data-agent-id='" + agentId + "'] a.alert-count")).click();
        browser.awaitText(By.id("alert-agent-filter"), agentId.toString(), Duration.ofSeconds(15));
        By row = By.cssSelector("#alerts-table tr[data-check='dash-cpu']");
        browser.await(row, Duration.ofSeconds(20));
        browser.awaitText(By.id("nav-alert-count"), "1", Duration.ofSeconds(15));
        assertThat(browser.textContent(row)).contains("critical").contains("open").contains("88");

        browser.driver.findElement(By.cssSelector("#alerts-table tr[data-check='dash-cpu'] button.ack")).click();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                admin.alerts(Map.of("check", "dash-cpu")).get(0).state().equals("acknowledged"));
        browser.awaitText(row, "acknowledged", Duration.ofSeconds(15));
        browser.await(By.cssSelector("#alerts-table tr[data-check='dash-cpu'] button.resolve")).click();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                admin.alerts(Map.of("check", "dash-cpu")).get(0).state().equals("resolved"));
        AlertView resolved = admin.alerts(Map.of("check", "dash-cpu")).get(0);
        assertThat(resolved.resolvedBy()).isEqualTo(TestServer.ADMIN_EMAIL);
        browser.awaitText(By.id("nav-alert-count"), "0", Duration.ofSeconds(15));
        assertThat(admin.alertCountsByAgent()).isEmpty();
        browser.go(base, "#/agents");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> browser.textContent(alertsCell).isBlank());
        assertThat(browser.cspViolations()).isEmpty();
        assertThat(browser.pageErrors()).isEmpty();
    }
}
