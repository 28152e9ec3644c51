package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard shows a running command's output as it arrives (Chromium, a real server, a real
 * agent process), then the stored result once the command ends.
 */
@Timeout(300)
class DashboardLiveOutputTest {
    private static DashboardBrowser browser;
    private static Fleet fleet;
    private static URI base;
    private static UUID agentId;

    @BeforeAll
    static void start() {
        browser = DashboardBrowser.open();
        fleet = Fleet.start(TestDatabase.Kind.H2);
        base = fleet.server().url();
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
    void aRunningCommandsOutputAppearsLineByLineThenTheStoredResult() {
        browser.login(base, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
        browser.go(base, "#/agents/" + agentId);
        browser.await(By.id("agent-hostname"));
        new Select(browser.await(By.id("cmd-type"))).selectByValue("bash");
        browser.js("document.getElementById('cmd-script').value = arguments[0];",
                "echo first; sleep 4; echo second >&2; sleep 4; echo '<b>third</b>'");
        browser.driver().findElement(By.id("cmd-run")).click();

        // Live: the first line is on the page while the command is still running.
        browser.awaitText(By.cssSelector(".command-result[data-status=running] pre.live-stdout"), "first", Duration.ofSeconds(60));
        String id = browser.driver().findElement(By.cssSelector(".command-result")).getDomAttribute("data-command-id");
        GuruClient admin = fleet.admin();
        assertThat(admin.command(UUID.fromString(id)).status()).isEqualTo("running");
        assertThat(browser.textContent(By.cssSelector(".command-result pre.live-stdout"))).doesNotContain("third");
        browser.awaitText(By.cssSelector(".command-result[data-status=running] pre.live-stderr"), "second", Duration.ofSeconds(60));

        // Final: the stored result replaces the live view, text shown as text.
        new WebDriverWait(browser.driver(), Duration.ofSeconds(60)).until(d -> !d.findElements(
                By.cssSelector(".command-result[data-status=completed]")).isEmpty());
        CommandView view = admin.command(UUID.fromString(id));
        assertThat(browser.textContent(By.cssSelector(".command-result pre.stdout"))).isEqualTo(view.stdout()).isEqualTo("first\n<b>third</b>\n");
        assertThat(browser.textContent(By.cssSelector(".command-result pre.stderr"))).isEqualTo("second\n");
        assertThat(browser.driver().findElements(By.cssSelector(".command-result pre.live-stdout"))).isEmpty();
        assertThat(browser.driver().findElements(By.cssSelector(".command-result b"))).isEmpty();
        assertThat(browser.cspViolations()).isEmpty();
        assertThat(browser.pageErrors()).isEmpty();
    }
}
