package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The dashboard's terminal in Chromium: xterm.js from the server's webjar on a real agent's shell. */
class DashboardTerminalTest {
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

    /** The terminal's screen and scrollback as xterm holds it (the canvas renderer draws no DOM text). */
    private String screen() {
        return (String) browser.js("""
                const t = document.querySelector('guru-terminal')?.term;
                if (!t) return '';
                const b = t.buffer.active, out = [];
                for (let i = 0; i < b.length; i++) out.push(b.getLine(i).translateToString(true));
                return out.join('\\n');""");
    }

    @Test
    void typingIntoTheDashboardTerminalRunsTheCommandOnTheAgent() {
        browser.login(base, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
        browser.go(base, "#/agents/" + agentId);
        browser.await(By.id("open-terminal")).click();
        try {
            new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d ->
                    "connected".equals(d.findElement(By.id("terminal-status")).getDomAttribute("data-status")));
        } catch (RuntimeException e) {
            throw new AssertionError("terminal did not connect; errors " + browser.pageErrors() + ", csp " + browser.cspViolations()
                    + ", page: " + browser.js("return document.querySelector('main')?.innerText"), e);
        }
        // Typed as a person types: focus the terminal, then keys to whatever has the focus (xterm's hidden textarea).
        browser.driver.findElement(By.id("terminal-screen")).click();
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys("echo $((6*7))" + org.openqa.selenium.Keys.ENTER).perform();
        new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d -> screen().lines().anyMatch(line -> line.equals("42")));
        assertThat(screen()).contains("echo $((6*7))");

        // The session is the user's, audited, and recorded.
        String sessionId = browser.driver.findElement(By.tagName("guru-terminal")).getDomAttribute("data-session-id");
        assertThat(admin.tunnelSessions()).anyMatch(s -> s.sessionId().toString().equals(sessionId) && s.state().equals("open"));
        browser.driver.findElement(By.id("terminal-end")).click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(15)).until(d ->
                "ended".equals(d.findElement(By.id("terminal-status")).getDomAttribute("data-status")));
        assertThat(admin.tunnelRecording(UUID.fromString(sessionId))).contains("42");
        assertThat(browser.cspViolations()).isEmpty();
        assertThat(browser.pageErrors()).isEmpty();
    }
}
