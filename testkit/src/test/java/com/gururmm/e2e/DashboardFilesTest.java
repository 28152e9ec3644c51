package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The agent page's Files card in Chromium: a file chosen in the browser lands on the agent, and one comes back verified. */
@Timeout(180)
class DashboardFilesTest {
    private static DashboardBrowser browser;
    private static Fleet fleet;
    private static URI base;
    private static UUID agentId;
    @TempDir
    static Path dir;

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

    private WebElement result(String direction) {
        try {
            new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> !d.findElements(By.cssSelector(
                    "#file-result[data-direction='" + direction + "']")).isEmpty());
        } catch (RuntimeException e) {
            throw new AssertionError("no " + direction + " result; errors " + browser.pageErrors() + ", page: "
                    + browser.js("return document.querySelector('#agent-files')?.innerText"), e);
        }
        return browser.driver.findElement(By.id("file-result"));
    }

    @Test
    void aFileUploadedFromTheBrowserLandsOnTheAgentAndDownloadsBackVerified() throws Exception {
        byte[] data = new byte[700_000];
        new Random(21).nextBytes(data);
        Path local = Files.write(dir.resolve("from-browser.bin"), data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        Path remote = Files.createDirectories(dir.resolve("agent")).resolve("landed.bin");

        browser.login(base, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
        browser.go(base, "#/agents/" + agentId);
        browser.await(By.id("file-upload-input")).sendKeys(local.toString());
        browser.driver.findElement(By.id("file-upload-path")).sendKeys(remote.toString());
        browser.driver.findElement(By.id("file-upload-submit")).click();
        assertThat(result("upload").getDomAttribute("data-sha256")).isEqualTo(sha);
        assertThat(Files.readAllBytes(remote)).isEqualTo(data);

        browser.driver.findElement(By.id("file-download-path")).sendKeys(remote.toString());
        browser.driver.findElement(By.id("file-download-submit")).click();
        WebElement down = result("download");
        assertThat(down.getDomAttribute("data-sha256")).isEqualTo(sha);
        assertThat(down.getText()).contains("(verified)").contains("700000 bytes");

        // A refusal is shown as the server's sentence.
        browser.driver.findElement(By.id("file-download-path")).clear();
        browser.driver.findElement(By.id("file-download-path")).sendKeys(dir.resolve("missing.bin").toString());
        browser.driver.findElement(By.id("file-download-submit")).click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d ->
                d.findElement(By.id("agent-files")).getText().contains("does not exist"));
        assertThat(browser.pageErrors()).isEmpty();
    }
}
