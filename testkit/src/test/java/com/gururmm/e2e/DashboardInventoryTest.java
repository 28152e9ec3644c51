package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The inventory pages in Debian's Chromium: fleet-wide search finds the machine with the old
 * package, its inventory page shows hardware, file systems and a filterable software list, and
 * Refresh asks the agent (a hand-driven connection that answers collect_inventory) for a new report.
 */
class DashboardInventoryTest {
    private static DashboardBrowser browser;
    private static TestServer server;
    private static RawAgent oldOpenssl;
    private static RawAgent newOpenssl;
    private static Thread beats;

    @BeforeAll
    static void start() throws Exception {
        browser = DashboardBrowser.open();
        server = TestServer.start(TestDatabase.Kind.H2);
        oldOpenssl = RawAgent.enroll(server);
        newOpenssl = RawAgent.enroll(server);
        oldOpenssl.hello();
        newOpenssl.hello();
        send(oldOpenssl, report("3.0.11-1~deb12u2", 4_000_000_000L, null));
        send(newOpenssl, report("3.0.13-1~deb12u1", 60_000_000_000L, null));
        assertThat(oldOpenssl.syncAndDrain()).noneMatch(m -> m instanceof ServerMessage.Refused);
        assertThat(newOpenssl.syncAndDrain()).noneMatch(m -> m instanceof ServerMessage.Refused);
        // Heartbeats keep the hand-driven connection online while the browser works (the test server's idle timeout is 3 s).
        beats = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    send(oldOpenssl, new AgentMessage.Heartbeat(Instant.now()));
                    Thread.sleep(500);
                }
            } catch (InterruptedException | RuntimeException e) {
                // stopped
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (beats != null) {
            beats.interrupt();
            beats.join();
        }
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** One sender at a time on a connection. */
    private static void send(RawAgent agent, AgentMessage message) {
        synchronized (agent) {
            agent.send(message);
        }
    }

    private static AgentMessage.SystemInventoryReport report(String opensslVersion, long freeBytes, UUID requestId) {
        return new AgentMessage.SystemInventoryReport(requestId, new SystemInventory(1, Instant.now(),
                new SystemInventory.Hardware("ACME", "Box 1", "SN-12345", "Test CPU", 4, 8, 8L << 30, "ACME", "1.0", "2024-01-01"),
                List.of(new SystemInventory.Disk("/dev/sda", "ACME SSD", "DISK-1", 100_000_000_000L)),
                List.of(new SystemInventory.NetworkInterface("eth0", "eth0", "52:54:00:12:34:56", List.of("192.0.2.10"))),
                List.of(new SystemInventory.Filesystem("/", "ext4", "/dev/sda1", 100_000_000_000L, freeBytes)),
                List.of(new SystemInventory.Software("openssl", opensslVersion, "amd64", "dpkg"),
                        new SystemInventory.Software("bash", "5.2.15-2+b8", "amd64", "dpkg")),
                List.of(new SystemInventory.Service("ssh.service", "OpenBSD Secure Shell server", "running", "enabled")),
                new SystemInventory.Updates("apt", 2, 1, List.of("openssl", "curl"), true, "/var/run/reboot-required"), List.of()));
    }

    private static List<String> rows(String table) {
        return browser.driver.findElements(By.cssSelector("#" + table + " tbody tr")).stream().map(WebElement::getText).toList();
    }

    @Test
    void searchFindsTheOldPackageAndTheInventoryPageShowsFiltersAndRefreshes() throws Exception {
        browser.login(server.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
        browser.driver.findElement(By.cssSelector("#main-nav a[href='#/inventory']")).click();
        browser.type(By.id("inv-q-software"), "openssl");
        browser.type(By.id("inv-q-version_below"), "3.0.13");
        browser.driver.findElement(By.id("inv-search")).click();
        browser.awaitText(By.id("inv-result-count"), "1 agent", Duration.ofSeconds(15));
        assertThat(browser.driver.findElements(By.cssSelector("#inv-results tr[data-agent-id]")))
                .extracting(e -> e.getDomAttribute("data-agent-id")).containsExactly(oldOpenssl.agentId.toString());
        assertThat(rows("inv-results").getFirst()).contains("openssl 3.0.11-1~deb12u2");

        // A bad filter shows the server's sentence.
        browser.type(By.id("inv-q-filesystem_free_below_percent"), "ten");
        browser.driver.findElement(By.id("inv-search")).click();
        browser.awaitText(By.cssSelector("p.error"), "filesystem_free_below_percent", Duration.ofSeconds(15));
        browser.type(By.id("inv-q-filesystem_free_below_percent"), "10");
        browser.driver.findElement(By.id("inv-search")).click();
        browser.awaitText(By.id("inv-result-count"), "1 agent", Duration.ofSeconds(15));

        browser.driver.findElement(By.cssSelector("#inv-results tr[data-agent-id] a")).click();
        browser.await(By.id("inv-title"));
        assertThat(browser.await(By.id("inv-hardware")).getText()).contains("ACME", "Box 1", "SN-12345", "Test CPU (4 cores, 8 threads)", "8.0 GiB");
        assertThat(rows("inv-filesystems")).singleElement().asString().contains("/", "ext4", "(4 %)");
        assertThat(rows("inv-nics")).singleElement().asString().contains("52:54:00:12:34:56", "192.0.2.10");
        assertThat(browser.await(By.id("inv-reboot")).getText()).contains("yes");
        assertThat(rows("inv-software")).hasSize(2);
        browser.type(By.id("inv-software-filter"), "SSL");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> rows("inv-software").size() == 1);
        assertThat(rows("inv-software").getFirst()).contains("openssl", "3.0.11-1~deb12u2", "dpkg");

        String shots = System.getenv("DASHBOARD_SCREENSHOTS");
        if (shots != null) {
            java.nio.file.Files.write(java.nio.file.Path.of(shots, "inventory.png"), browser.screenshot());
        }

        // Refresh: the agent gets collect_inventory and answers with an upgraded openssl.
        oldOpenssl.frames.clear();
        browser.driver.findElement(By.id("inv-refresh")).click();
        ServerMessage.CollectInventory ask = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ask == null && System.nanoTime() < deadline) {
            String frame = oldOpenssl.frames.poll(1, TimeUnit.SECONDS);
            if (frame != null && Wire.decodeServerMessage(frame) instanceof ServerMessage.CollectInventory c) {
                ask = c;
            }
        }
        assertThat(ask).as("collect_inventory reached the agent").isNotNull();
        send(oldOpenssl, report("3.0.13-1~deb12u1", 4_000_000_000L, ask.requestId()));
        browser.awaitText(By.id("inv-note"), "Inventory refreshed", Duration.ofSeconds(30));
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("inv-software"), "3.0.13-1~deb12u1"));
        assertThat(browser.await(By.id("inv-changes")).getText()).contains("upgraded", "openssl", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1");
        assertThat(browser.pageErrors()).isEmpty();
        assertThat(browser.cspViolations()).isEmpty();
    }
}
