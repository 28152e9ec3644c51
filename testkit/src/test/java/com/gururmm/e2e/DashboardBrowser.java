package com.gururmm.e2e;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven by Debian's chromedriver. Both paths are given to Selenium
 * explicitly, so Selenium Manager never runs and nothing is downloaded. Without the browser the
 * dashboard tests skip with a printed reason, except under CI ({@code CI=true}), where that is a
 * failure ({@code .ci/run} installs the packages).
 *
 * <p>Before any page script runs, a hook records Content-Security-Policy violations and
 * uncaught errors in {@code window.__gururmm}, so tests can assert the page ran cleanly.
 */
final class DashboardBrowser implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private static final String PAGE_HOOK = """
            window.__gururmm = { csp: [], errors: [] };
            document.addEventListener('securitypolicyviolation', e =>
                window.__gururmm.csp.push(e.violatedDirective + ' ' + e.blockedURI));
            window.addEventListener('error', e => window.__gururmm.errors.push(String(e.message)));
            window.addEventListener('unhandledrejection', e => window.__gururmm.errors.push(String(e.reason)));
            """;

    final ChromeDriver driver;
    private final Path profile;

    private DashboardBrowser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static DashboardBrowser open() {
        for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(binary))) {
                String reason = binary + " is missing; install Debian's browser with: apt-get install -y chromium chromium-driver";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw new IllegalStateException(reason + " (under CI a missing browser is a failure; .ci/run installs it)");
                }
                System.out.println("SKIPPED (no browser): " + reason);
                Assumptions.abort(reason);
            }
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        try {
            Path profile = Files.createTempDirectory("gururmm-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--user-data-dir=" + profile, "--window-size=1400,1000");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER))
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", PAGE_HOOK));
            return new DashboardBrowser(driver, profile);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a Chromium profile directory", e);
        }
    }

    /** Opens the dashboard with an empty session (signed out). */
    void openSignedOut(URI base) {
        driver.get(base.toString());
        js("sessionStorage.clear()");
        driver.navigate().refresh();
        await(By.id("login-email"));
    }

    void login(URI base, String email, String password) {
        openSignedOut(base);
        type(By.id("login-email"), email);
        type(By.id("login-password"), password);
        driver.findElement(By.cssSelector(".login-card button[type=submit]")).click();
    }

    void type(By by, String text) {
        WebElement field = await(by);
        field.clear();
        field.sendKeys(text);
    }

    WebElement await(By by) {
        return await(by, Duration.ofSeconds(15));
    }

    WebElement await(By by, Duration timeout) {
        return new WebDriverWait(driver, timeout).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void awaitText(By by, String text, Duration timeout) {
        new WebDriverWait(driver, timeout).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    org.openqa.selenium.WebDriver driver() {
        return driver;
    }

    void go(URI base, String hash) {
        driver.get(base + "/" + hash);
    }

    /** Exact text of an element, whitespace and newlines kept (WebElement.getText() trims them). */
    String textContent(By by) {
        return await(by).getDomProperty("textContent");
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    @SuppressWarnings("unchecked")
    List<String> cspViolations() {
        return (List<String>) js("return window.__gururmm ? window.__gururmm.csp : ['page hook missing']");
    }

    @SuppressWarnings("unchecked")
    List<String> pageErrors() {
        return (List<String>) js("return window.__gururmm ? window.__gururmm.errors : ['page hook missing']");
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temp profile is harmless
            }
        }
    }
}
