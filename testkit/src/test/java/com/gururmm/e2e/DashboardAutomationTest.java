package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Policies.AssignmentRequest;
import com.gururmm.protocol.api.Policies.PolicyRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The automation pages in a real browser: a script saved through the form and run with its
 * parameter form on a real agent (a hostile value arrives verbatim), a schedule's history, and
 * the agent page's policies with their source.
 */
@Timeout(240)
class DashboardAutomationTest {
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
    void saveAScriptRunItWithItsParameterFormAndSeeEachResult() {
        browser.login(base, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.await(By.id("main-nav"));
        browser.go(base, "#/scripts");
        browser.await(By.id("script-form"));
        browser.type(By.id("script-name"), "Dashboard greet");
        new Select(browser.await(By.id("script-type"))).selectByValue("sh");
        browser.type(By.id("script-command"), "printf '[%s]' \"$GURURMM_PARAM_WHO\"");
        browser.type(By.id("script-parameters"), "who:string:required");
        browser.driver().findElement(By.id("script-create")).click();
        browser.await(By.id("script-run"));
        ScriptView saved = admin.scripts(Map.of()).stream().filter(s -> s.name().equals("Dashboard greet")).findFirst().orElseThrow();
        assertThat(saved.parameters()).singleElement().satisfies(p -> assertThat(p.required()).isTrue());

        String hostile = "it's \"quoted\" $(touch /tmp/never) `id`";
        browser.type(By.id("param-who"), hostile);
        new Select(browser.await(By.id("target-kind"))).selectByValue("agents");
        browser.type(By.id("target-agents"), agentId.toString());
        browser.driver().findElement(By.id("script-run-button")).click();
        By row = By.cssSelector("#run-results tr[data-agent-id='" + agentId + "']");
        browser.awaitText(row, "completed", Duration.ofSeconds(60));
        assertThat(browser.textContent(row)).contains("[" + hostile + "]");
        browser.await(By.id("script-runs"));
        assertThat(browser.pageErrors()).isEmpty();
        assertThat(browser.cspViolations()).isEmpty();
    }

    @Test
    void aSchedulesHistoryAndTheAgentsPoliciesShowInThePages() {
        ScriptView script = admin.createScript(new ScriptRequest("Dashboard tick " + UUID.randomUUID(), "sh", "echo tick",
                List.of(new Parameter("unused", "string", false, null))));
        UUID site = admin.agents().stream().filter(a -> a.id().equals(agentId)).findFirst().orElseThrow().siteId();
        var schedule = admin.createSchedule(new ScheduleRequest("dash every 5 s", script.id(), null, Map.of(), null,
                new AgentFilter(null, null, null, null, null, site), null, 5, null, null, null, null));
        var policy = admin.createPolicy(new PolicyRequest("Dashboard policy", null, null, null));
        admin.assignPolicy(policy.id(), new AssignmentRequest("site", null, site));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !admin.scheduleRuns(schedule.id()).isEmpty());

        browser.login(base, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        browser.go(base, "#/schedules");
        browser.await(By.cssSelector("#schedules-table tr[data-schedule-id='" + schedule.id() + "'] button.history")).click();
        browser.awaitText(By.id("schedule-runs"), "submitted", Duration.ofSeconds(20));

        browser.go(base, "#/agents/" + agentId);
        By applied = By.cssSelector("#agent-policies-table tr[data-policy-id='" + policy.id() + "']");
        browser.awaitText(applied, "Dashboard policy", Duration.ofSeconds(20));
        assertThat(browser.textContent(applied)).contains("site");
        browser.await(By.cssSelector("#agent-policies-table tr[data-policy-id='" + policy.id() + "'] button.exclude")).click();
        browser.awaitText(applied, "excluded", Duration.ofSeconds(20));
        assertThat(admin.agentPolicies(agentId).excluded()).anyMatch(p -> p.policyId().equals(policy.id()));

        browser.go(base, "#/policies");
        browser.awaitText(By.cssSelector("section.policy[data-policy-id='" + policy.id() + "']"), "Dashboard policy", Duration.ofSeconds(20));
        admin.updateSchedule(schedule.id(), new ScheduleRequest(null, null, null, null, null, null, null, null, null, null, null, false));
        assertThat(browser.pageErrors()).isEmpty();
    }
}
