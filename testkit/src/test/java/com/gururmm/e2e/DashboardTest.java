package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser against a real server and a real agent process: what a
 * technician sees and does, checked against what the API says.
 */
class DashboardTest {
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(60);
    private static final String XSS = "<img src=x onerror=\"window.__xss=1\">";

    private static DashboardBrowser browser;
    private static Fleet fleet;
    private static URI base;
    private static GuruClient admin;
    private static UUID agentId;

    @BeforeAll
    static void start() {
        browser = DashboardBrowser.open(); // first, so a missing browser skips before a server starts
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

    private void loginAsAdmin() {
        browser.login(base, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
    }

    private By agentRow(UUID id) {
        return By.cssSelector("#agents-table tr[data-agent-id='" + id + "']");
    }

    private void openAgentPage(UUID id) {
        browser.go(base, "#/agents/" + id);
        try {
            browser.await(By.id("agent-hostname"));
        } catch (RuntimeException e) {
            throw new AssertionError("agent page did not render; page errors " + browser.pageErrors()
                    + ", main: " + browser.js("return document.querySelector('main')?.innerHTML"), e);
        }
    }

    /** Fills the Run command form, submits it and waits until the result leaves queued/running. */
    private String runInBrowser(String type, String script) {
        new Select(browser.await(By.id("cmd-type"))).selectByValue(type);
        browser.js("const t = document.getElementById('cmd-script'); t.value = arguments[0];", script);
        browser.driver.findElement(By.id("cmd-run")).click();
        new WebDriverWait(browser.driver, COMMAND_WAIT).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".command-result:not([data-status=queued]):not([data-status=running])")));
        return browser.driver.findElement(By.cssSelector(".command-result")).getDomAttribute("data-command-id");
    }

    @Test
    void pageHasAStrictPolicyAndLoadsNothingFromElsewhere() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).startsWith("default-src 'self';").contains("script-src 'self' 'sha256-").doesNotContain("unsafe");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.body()).contains("<script type=\"importmap\">").doesNotContain("https://").doesNotContain("http://")
                .doesNotContain("gururmm:importmap");

        loginAsAdmin();
        browser.await(agentRow(agentId));
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) browser.js(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(loaded).as("lit came from the server's webjars").anyMatch(u -> u.contains("/webjars/lit/"));
        assertThat(loaded).allMatch(u -> u.startsWith(base.toString() + "/"), "every request goes to the server itself");
        assertThat(browser.cspViolations()).isEmpty();
        assertThat(browser.pageErrors()).isEmpty();
    }

    @Test
    void technicianSeesTheAgentOnlineAndRunsAScriptWithExactOutput() {
        loginAsAdmin();
        String hostname = admin.agent(agentId).hostname();
        browser.await(agentRow(agentId));
        assertThat(browser.textContent(By.cssSelector("#agents-table tr[data-agent-id='" + agentId + "'] .badge"))).isEqualTo("online");
        browser.driver.findElement(By.cssSelector("#agents-table tr[data-agent-id='" + agentId + "'] a.hostname")).click();
        browser.awaitText(By.id("agent-hostname"), hostname, Duration.ofSeconds(15));
        assertThat(browser.textContent(By.cssSelector("#inventory"))).contains(admin.agent(agentId).machineUid());

        String id = runInBrowser("bash", "echo hello-from-dashboard\nprintf 'two\\nlines\\n' >&2\nexit 3");
        assertThat(browser.driver.findElement(By.cssSelector(".command-result")).getDomAttribute("data-status")).isEqualTo("completed");
        assertThat(browser.textContent(By.cssSelector(".command-result pre.stdout"))).isEqualTo("hello-from-dashboard\n");
        assertThat(browser.textContent(By.cssSelector(".command-result pre.stderr"))).isEqualTo("two\nlines\n");
        assertThat(browser.textContent(By.cssSelector(".command-result .exit-code"))).isEqualTo("3");

        CommandView view = admin.command(UUID.fromString(id));
        assertThat(view.exitCode()).isEqualTo(3);
        assertThat(view.stdout()).isEqualTo("hello-from-dashboard\n");
        assertThat(view.createdBy()).isEqualTo(TestServer.ADMIN_EMAIL);
        // The history follows the result right away, not only at its next 5 s refresh.
        browser.awaitText(By.cssSelector("#command-history tr[data-command-id='" + id + "'] .badge"), "completed", Duration.ofSeconds(3));
        browser.js("document.querySelector('#run-form').scrollIntoView()");
        screenshotIfAsked("agent.png");
        browser.go(base, "#/agents");
        browser.await(agentRow(agentId));
        screenshotIfAsked("fleet.png");
    }

    /** DASHBOARD_SCREENSHOTS=<dir> leaves PNGs for a human to look at; they are not asserted. */
    private static void screenshotIfAsked(String name) {
        String dir = System.getenv("DASHBOARD_SCREENSHOTS");
        if (dir != null) {
            try {
                Files.createDirectories(Path.of(dir));
                Files.write(Path.of(dir, name), browser.screenshot());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void cancelStopsARunningCommand() {
        loginAsAdmin();
        openAgentPage(agentId);
        new Select(browser.await(By.id("cmd-type"))).selectByValue("bash");
        browser.type(By.id("cmd-script"), "echo started; sleep 120");
        browser.driver.findElement(By.id("cmd-run")).click();
        browser.await(By.cssSelector(".command-result[data-status=running]"), COMMAND_WAIT);
        String id = browser.driver.findElement(By.cssSelector(".command-result")).getDomAttribute("data-command-id");
        browser.await(By.id("cmd-cancel")).click();
        browser.await(By.cssSelector(".command-result[data-status=cancelled]"), Duration.ofSeconds(30));
        assertThat(browser.driver.findElements(By.id("cmd-cancel"))).as("no Cancel once it has ended").isEmpty();
        assertThat(admin.command(UUID.fromString(id)).status()).isEqualTo("cancelled");
    }

    @Test
    void badLoginShowsTheServersMessageAndStaysSignedOut() {
        browser.login(base, TestServer.ADMIN_EMAIL, "not the password");
        String message = browser.textContent(By.cssSelector("#login-error .error"));
        assertThat(message).containsIgnoringCase("password");
        assertThat(browser.driver.findElements(By.id("main-nav"))).isEmpty();
        assertThat(browser.js("return sessionStorage.getItem('gururmm.token')")).isNull();
    }

    @Test
    void anInvalidSessionReturnsToTheLoginPageWithAMessage() {
        loginAsAdmin();
        browser.await(agentRow(agentId));
        browser.js("sessionStorage.setItem('gururmm.token', 'not-a-jwt')");
        // The next API call (opening another page) gets a 401 and must send the user back to the login page.
        browser.go(base, "#/admin/users");
        String notice = browser.await(By.id("login-notice"), Duration.ofSeconds(15)).getText();
        assertThat(notice).contains("Sign in again");
        assertThat(browser.js("return sessionStorage.getItem('gururmm.token')")).isNull();
    }

    @Test
    void aSessionRevokedOnTheServerEndsTheOpenPageWithinSeconds() {
        loginAsAdmin();
        browser.await(agentRow(agentId));
        String token = (String) browser.js("return sessionStorage.getItem('gururmm.token')");
        // Signed out elsewhere (or revoked by an admin): the page makes no request of its own, but
        // its live event stream re-checks the session and ends it.
        assertThat(new GuruClient(base, token).raw("POST", "/api/auth/logout", null, java.util.Map.of()).status()).isLessThan(300);
        String notice = browser.await(By.id("login-notice"), Duration.ofSeconds(20)).getText();
        assertThat(notice).contains("Sign in again");
        assertThat(browser.js("return sessionStorage.getItem('gururmm.token')")).isNull();
    }

    @Test
    void presenceChangesUpdateTheFleetRowInPlaceWithoutRefetchingTheFleet() {
        loginAsAdmin();
        browser.await(agentRow(agentId));
        com.gururmm.testkit.AgentProcess extra = fleet.addAgent();
        By row = agentRow(extra.agentId());
        // A new agent is not in the list yet: its first presence event makes the page read the list once.
        browser.await(row, Duration.ofSeconds(20));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                browser.driver.findElement(row).getText().contains("online"));
        Object loadedAt = browser.js("return document.querySelector('guru-fleet').loadedAt");
        extra.kill();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                browser.driver.findElement(row).getText().contains("offline"));
        assertThat(browser.js("return document.querySelector('guru-fleet').loadedAt")).as("no full refetch").isEqualTo(loadedAt);
        assertThat(browser.pageErrors()).isEmpty();
    }

    @Test
    void signingOutEndsTheSessionOnTheServer() {
        loginAsAdmin();
        browser.await(agentRow(agentId));
        String token = (String) browser.js("return sessionStorage.getItem('gururmm.token')");
        GuruClient copy = new GuruClient(base, token);
        assertThat(copy.raw("GET", "/api/auth/me", null, java.util.Map.of()).status()).isEqualTo(200);

        browser.driver.findElement(By.id("logout")).click();

        assertThat(browser.await(By.id("login-notice")).getText()).contains("signed out");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(copy.raw("GET", "/api/auth/me", null, java.util.Map.of()).status()).as("a copy of the token").isEqualTo(401));
    }

    @Test
    void viewerSeesNoAdminPagesAndNoRunForm() {
        String email = "viewer-" + UUID.randomUUID() + "@example.test";
        admin.createUser(email, "viewer password 123", "viewer", new com.gururmm.protocol.api.Auth.ScopeView(admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), java.util.List.of()));
        browser.login(base, email, "viewer password 123");
        browser.await(By.id("main-nav"));
        // The viewer's pages, none of the admin ones (Alerts carries a live count, so the links are compared by address).
        assertThat(browser.driver.findElements(By.cssSelector("#main-nav a"))).extracting(e -> e.getDomAttribute("href"))
                .containsExactly("#/agents", "#/alerts", "#/checks", "#/inventory", "#/scripts", "#/schedules", "#/policies", "#/security", "#/api-keys");
        browser.go(base, "#/admin/tokens");
        assertThat(browser.await(By.cssSelector("main .error")).getText()).contains("for administrators");
        assertThat(browser.driver.findElements(By.id("token-form"))).isEmpty();

        openAgentPage(agentId);
        browser.await(By.id("inventory"));
        assertThat(browser.driver.findElements(By.id("run-form"))).isEmpty();
    }

    @Test
    void theServerHostIsBadgedAndAnAdminReleasesHeldCommandsFromTheAgentPage() {
        String machine = "mid-" + UUID.randomUUID();
        String hostToken = fleet.server().server().enrollmentTokens().createServerHostToken(Duration.ofMinutes(5)).token();
        UUID host = fleet.server().anonymousClient().enroll(new EnrollRequest(hostToken, UUID.randomUUID().toString(), machine,
                "the-server", "linux", "amd64", "0.1.0", "stable")).agentId();
        UUID held = admin.runCommand(host, new CommandRequest("sh", "echo held", null, 30)).commandId();
        fleet.server().anonymousClient().enroll(new EnrollRequest(fleet.server().enrollmentToken(), UUID.randomUUID().toString(),
                machine, "the-server", "linux", "amd64", "0.1.0", "stable"));
        assertThat(admin.command(held).status()).isEqualTo("held");

        loginAsAdmin();
        browser.await(agentRow(host));
        assertThat(browser.textContent(By.cssSelector("tr[data-agent-id='" + host + "'] .server-host"))).isEqualTo("server host");
        assertThat(browser.driver.findElements(By.cssSelector("tr[data-agent-id='" + agentId + "'] .server-host"))).isEmpty();
        openAgentPage(host);
        assertThat(browser.textContent(By.cssSelector(".page-head .server-host"))).isEqualTo("server host");
        assertThat(browser.await(By.id("held-commands")).getText()).contains("1 held command").contains("enrolled again");
        browser.js("window.confirm = () => true");
        browser.driver.findElement(By.id("held-release")).click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(15)).until(ExpectedConditions.invisibilityOfElementLocated(By.id("held-commands")));
        assertThat(admin.command(held).status()).as("released: queued for the agent's current identity").isEqualTo("queued");
        assertThat(browser.pageErrors()).isEmpty();
    }

    @Test
    void enrollmentTokenIsShownOnceAndEnrollsAMachine() {
        loginAsAdmin();
        browser.go(base, "#/admin/tokens");
        browser.type(By.id("token-site"), "branch-7");
        browser.type(By.id("token-uses"), "1");
        browser.driver.findElement(By.id("token-create")).click();
        String token = browser.textContent(By.id("new-token-value"));
        assertThat(token).startsWith("grmm_enroll_");

        // The token the page showed is the real one: a machine enrolls with it.
        var enrolled = fleet.server().anonymousClient().enroll(new EnrollRequest(token, UUID.randomUUID().toString(),
                "mid-" + UUID.randomUUID(), "branch-7-pc", "linux", "amd64", "0.1.0", "stable"));
        assertThat(enrolled.agentId()).isNotNull();
        assertThat(admin.agent(enrolled.agentId()).site()).isEqualTo("branch-7");

        browser.driver.navigate().refresh();
        browser.await(By.cssSelector("#tokens-table"));
        browser.awaitText(By.id("tokens-table"), "branch-7", Duration.ofSeconds(10));
        assertThat(browser.driver.getPageSource()).as("the server never returns a token twice").doesNotContain(token);
        assertThat(browser.driver.findElements(By.id("new-token"))).isEmpty();
    }

    @Test
    void hostnameAndCommandOutputAreRenderedAsText() {
        var xssAgent = fleet.server().anonymousClient().enroll(new EnrollRequest(fleet.server().enrollmentToken(),
                UUID.randomUUID().toString(), "mid-" + UUID.randomUUID(), XSS, "linux", "amd64", "0.1.0", "stable"));
        loginAsAdmin();
        browser.await(agentRow(xssAgent.agentId()));
        assertThat(browser.textContent(By.cssSelector("tr[data-agent-id='" + xssAgent.agentId() + "'] a.hostname"))).isEqualTo(XSS);
        assertThat(browser.driver.findElements(By.cssSelector("#agents-table img"))).isEmpty();
        openAgentPage(xssAgent.agentId());
        assertThat(browser.textContent(By.id("agent-hostname"))).isEqualTo(XSS);

        openAgentPage(agentId);
        String payload = "<img src=x onerror=\"window.__xss=2\"><b>bold</b><script>window.__xss=3</script>";
        runInBrowser("bash", "cat <<'EOF'\n" + payload + "\nEOF");
        assertThat(browser.textContent(By.cssSelector(".command-result pre.stdout"))).isEqualTo(payload + "\n");
        assertThat(browser.driver.findElements(By.cssSelector(".command-result img, .command-result b, .command-result script"))).isEmpty();
        assertThat(browser.driver.findElements(By.cssSelector("main img"))).isEmpty();
        assertThat(browser.js("return window.__xss === undefined")).isEqualTo(true);
    }

    /** Issue 10: the fleet's client and site selectors narrow the table; the users page edits a scope, disables and deletes. */
    @Test
    void fleetFiltersByClientAndSiteAndTheUsersPageEditsScopes() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        UUID client = admin.createClient("Dash client " + suffix).id();
        UUID site = admin.createSite(client, "Dash site").id();
        String token = admin.createEnrollmentToken(new com.gururmm.protocol.api.EnrollmentTokens.CreateRequest(null, 1, null, site)).token();
        UUID inSite = admin.enroll(new com.gururmm.protocol.api.Agents.EnrollRequest(token, "dev-" + suffix, "machine-" + suffix,
                "dash-" + suffix, "linux", "amd64", "1.0.0", "stable")).agentId();

        loginAsAdmin();
        browser.await(agentRow(inSite));
        browser.await(agentRow(agentId));
        new Select(browser.await(By.id("fleet-client"))).selectByValue(client.toString());
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> d.findElements(agentRow(agentId)).isEmpty());
        assertThat(browser.driver.findElements(agentRow(inSite))).hasSize(1);
        new Select(browser.await(By.id("fleet-site"))).selectByValue(site.toString());
        assertThat(browser.driver.findElements(By.cssSelector("#agents-table tbody tr"))).hasSize(1);
        new Select(browser.await(By.id("fleet-client"))).selectByValue("");
        browser.await(agentRow(agentId));

        String email = "scoped-" + suffix + "@example.test";
        admin.createUser(email, "scoped password 123", "technician");
        browser.go(base, "#/admin/users");
        By row = By.cssSelector("#users-table tr[data-user='" + email + "']");
        assertThat(browser.await(row).findElement(By.cssSelector(".user-scope")).getText()).contains("nothing");
        browser.driver.findElement(row).findElement(By.cssSelector("button.edit-scope")).click();
        browser.await(By.cssSelector("#users-table tr[data-user='" + email + "'] .scope-form input[name=site][value='" + site + "']")).click();
        browser.driver.findElement(row).findElement(By.cssSelector("button.save-scope")).click();
        browser.awaitText(By.cssSelector("#users-table tr[data-user='" + email + "'] .user-scope"), "Dash site", Duration.ofSeconds(10));
        var saved = admin.users().stream().filter(u -> u.email().equals(email)).findFirst().orElseThrow();
        assertThat(saved.scope().siteIds()).containsExactly(site);

        browser.driver.findElement(row).findElement(By.cssSelector("button.toggle-disabled")).click();
        browser.awaitText(By.cssSelector("#users-table tr[data-user='" + email + "'] .user-state"), "disabled", Duration.ofSeconds(10));
        assertThat(admin.users().stream().filter(u -> u.email().equals(email)).findFirst().orElseThrow().disabled()).isTrue();
        browser.js("window.confirm = () => true;");
        browser.driver.findElement(By.cssSelector("#users-table tr[data-user='" + email + "'] button.delete-user")).click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> d.findElements(row).isEmpty());
        assertThat(admin.users()).noneSatisfy(u -> assertThat(u.email()).isEqualTo(email));

        // The agent page: client and site, and an admin moves the agent to another site.
        UUID other = admin.createSite(client, "Dash other").id();
        openAgentPage(inSite);
        assertThat(browser.await(By.id("agent-client")).getText()).isEqualTo("Dash client " + suffix);
        new Select(browser.await(By.id("agent-move"))).selectByValue(other.toString());
        browser.awaitText(By.id("agent-site"), "Dash other", Duration.ofSeconds(10));
        assertThat(admin.agent(inSite).siteId()).isEqualTo(other);
        assertThat(admin.audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("agent.move");
            assertThat(e.target()).isEqualTo(inSite.toString());
        });
        admin.retireAgent(inSite);
    }

    @Test
    void adminPromotesAReleaseAndManagesUsersAndReadsTheAudit() {
        // A platform no test agent runs, so promoting it offers nobody an update.
        String file = "gururmm-agent-windows-arm64-9.9.9.exe";
        admin.publishRelease(file, "dashboard build".getBytes(StandardCharsets.UTF_8), "beta");
        loginAsAdmin();
        browser.go(base, "#/admin/releases");
        By row = By.cssSelector("#releases-table tr[data-file='" + file + "']");
        assertThat(browser.await(row).findElement(By.cssSelector(".channel")).getText()).isEqualTo("beta");
        browser.driver.findElement(row).findElement(By.cssSelector("button.promote")).click();
        browser.awaitText(By.cssSelector("#releases-table tr[data-file='" + file + "'] .channel"), "stable", Duration.ofSeconds(10));
        assertThat(admin.releases()).filteredOn(r -> r.file().equals(file)).singleElement()
                .satisfies(r -> assertThat(r.channel()).isEqualTo("stable"));

        browser.go(base, "#/admin/users");
        String email = "tech-" + UUID.randomUUID() + "@example.test";
        browser.type(By.id("user-email"), email);
        browser.type(By.id("user-password"), "technician password 1");
        new Select(browser.driver.findElement(By.id("user-role"))).selectByValue("technician");
        browser.driver.findElement(By.cssSelector("#user-form button[type=submit]")).click();
        browser.awaitText(By.id("users-table"), email, Duration.ofSeconds(10));
        assertThat(admin.raw("GET", "/api/users", null, java.util.Map.of()).body()).contains(email);

        browser.go(base, "#/admin/audit");
        browser.awaitText(By.id("audit-table"), "release.channel", Duration.ofSeconds(10));
        browser.type(By.id("audit-action"), "user.create");
        browser.driver.findElement(By.cssSelector("#audit-form button[type=submit]")).click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d ->
                !d.findElement(By.id("audit-table")).getText().contains("release.channel"));
        assertThat(browser.textContent(By.id("audit-table"))).contains("user.create").contains(email);
    }
}
