package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.api.Policies.AgentPolicies;
import com.gururmm.protocol.api.Policies.AssignmentRequest;
import com.gururmm.protocol.api.Policies.PolicyRequest;
import com.gururmm.protocol.api.Policies.PolicyView;
import com.gururmm.protocol.api.Policies.Task;
import com.gururmm.protocol.api.Schedules.ScheduleRun;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Policies with three real agents: two in two sites of client A, one in client B. A policy
 * assigned to client A (a process check and a task every 5 s) shows on both of A's agents with
 * its source, reaches their checks and runs its task on both, not on B's; excluding one agent
 * removes it there. Technicians act within scope; fleet level is admin-only.
 */
@Timeout(300)
class PolicyTest {
    private static Fleet fleet;
    private static UUID clientA;
    private static UUID siteA1;
    private static UUID siteA2;
    private static UUID a1;
    private static UUID a2;
    private static UUID b1;

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.POSTGRES);
        a1 = fleet.onlineAgentId();
        a2 = fleet.onlineAgentId();
        b1 = fleet.onlineAgentId();
        GuruClient admin = fleet.admin();
        clientA = admin.createClient("Policy Client A").id();
        siteA1 = admin.createSite(clientA, "A1").id();
        siteA2 = admin.createSite(clientA, "A2").id();
        UUID clientB = admin.createClient("Policy Client B").id();
        UUID siteB = admin.createSite(clientB, "B1").id();
        admin.moveAgent(a1, siteA1);
        admin.moveAgent(a2, siteA2);
        admin.moveAgent(b1, siteB);
        admin.createUser("policy-tech@example.test", "technician-password-123", "technician", new ScopeView(List.of(), List.of(siteA1)));
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static CheckRequest processCheck(String key, String process) {
        return Json.mapper().convertValue(Map.of("key", key, "kind", "process", "process", process), CheckRequest.class);
    }

    @Test
    void aClientPolicyReachesEveryAgentOfTheClientAndAnExclusionRemovesIt() {
        GuruClient admin = fleet.admin();
        ScriptView script = admin.createScript(new ScriptRequest("Policy task " + UUID.randomUUID(), "sh", "printf 'policy %s' \"$GURURMM_PARAM_LABEL\"",
                List.of(new Parameter("label", "string", true, null))));
        PolicyView policy = admin.createPolicy(new PolicyRequest("Baseline " + UUID.randomUUID(), "client baseline",
                List.of(processCheck("policy-proc", "definitely-not-running-proc")),
                List.of(new Task("heartbeat", script.id(), null, Map.of("label", "A"), null, 5, null, null, null, null))));
        assertThat(policy.tasks()).singleElement().satisfies(t -> assertThat(t.policyId()).isEqualTo(policy.id()));
        assertThat(admin.agentPolicies(a1).applied()).as("not assigned yet").noneMatch(p -> p.policyId().equals(policy.id()));

        var assignment = admin.assignPolicy(policy.id(), new AssignmentRequest("client", clientA, null));
        for (UUID agent : List.of(a1, a2)) {
            AgentPolicies applied = admin.agentPolicies(agent);
            assertThat(applied.applied()).filteredOn(p -> p.policyId().equals(policy.id())).singleElement().satisfies(p -> {
                assertThat(p.source()).isEqualTo("client");
                assertThat(p.clientId()).isEqualTo(clientA);
                assertThat(p.checks()).extracting(c -> c.key()).containsExactly("policy-proc");
                assertThat(p.tasks()).extracting(t -> t.name()).containsExactly("heartbeat");
            });
            assertThat(admin.agentChecks(agent)).as("the policy's check joins the agent's checks")
                    .anySatisfy(c -> {
                        assertThat(c.check().key()).isEqualTo("policy-proc");
                        assertThat(c.origin()).isEqualTo("policy");
                    });
        }
        assertThat(admin.agentPolicies(b1).applied()).noneMatch(p -> p.policyId().equals(policy.id()));
        assertThat(admin.agentChecks(b1)).noneMatch(c -> c.check().key().equals("policy-proc"));
        // The process is not running: the agents report it, and alerts open on A's agents only.
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() ->
                admin.alerts(Map.of("check", "policy-proc")).stream().map(a -> a.agentId()).distinct().count() == 2);
        assertThat(admin.alerts(Map.of("check", "policy-proc"))).allSatisfy(a -> assertThat(a.agentId()).isIn(a1, a2));

        UUID task = policy.tasks().get(0).id();
        ScheduleRun run = awaitRun(admin, task, 2);
        BatchView batch = admin.batch(run.batchId());
        assertThat(batch.results()).extracting(r -> r.agentId()).containsExactlyInAnyOrder(a1, a2);
        assertThat(batch.results()).allSatisfy(r -> assertThat(r.stdout()).isEqualTo("policy A"));

        admin.excludeFromPolicy(policy.id(), a2);
        AgentPolicies excluded = admin.agentPolicies(a2);
        assertThat(excluded.applied()).noneMatch(p -> p.policyId().equals(policy.id()));
        assertThat(excluded.excluded()).anyMatch(p -> p.policyId().equals(policy.id()));
        assertThat(admin.agentChecks(a2)).noneMatch(c -> c.check().key().equals("policy-proc"));
        assertThat(admin.agentPolicies(a1).applied()).anyMatch(p -> p.policyId().equals(policy.id()));
        assertThat(awaitRun(admin, task, 1).agentCount()).as("the task runs on the remaining agent only").isEqualTo(1);
        assertThat(admin.policy(policy.id()).excludedAgentIds()).containsExactly(a2);

        admin.includeInPolicy(policy.id(), a2);
        assertThat(admin.agentPolicies(a2).applied()).anyMatch(p -> p.policyId().equals(policy.id()));
        admin.unassignPolicy(policy.id(), assignment.id());
        assertThat(admin.agentPolicies(a1).applied()).noneMatch(p -> p.policyId().equals(policy.id()));
        admin.deletePolicy(policy.id());
        expect(404, "No schedule", () -> admin.schedule(task));
        assertThat(admin.audit()).extracting(e -> e.action()).contains("policy.create", "policy.assign", "policy.exclude", "policy.include",
                "policy.unassign", "policy.delete");
    }

    /** Waits for a finished occurrence of the policy's task that reached {@code agents} agents. */
    private static ScheduleRun awaitRun(GuruClient admin, UUID task, int agents) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> admin.scheduleRuns(task).stream()
                .anyMatch(r -> Boolean.TRUE.equals(r.done()) && r.agentCount() != null && r.agentCount() == agents));
        return admin.scheduleRuns(task).stream().filter(r -> Boolean.TRUE.equals(r.done()) && r.agentCount() == agents).findFirst().orElseThrow();
    }

    @Test
    void techniciansActWithinScopeAndFleetLevelIsAdminOnly() {
        GuruClient admin = fleet.admin();
        GuruClient tech = fleet.server().anonymousClient();
        tech.login("policy-tech@example.test", "technician-password-123");
        PolicyView policy = tech.createPolicy(new PolicyRequest("Tech policy " + UUID.randomUUID(), null, List.of(processCheck("tech-proc", "x")), null));
        expect(403, "admin-only", () -> tech.assignPolicy(policy.id(), new AssignmentRequest("fleet", null, null)));
        expect(403, "every site of the client", () -> tech.assignPolicy(policy.id(), new AssignmentRequest("client", clientA, null)));
        expect(400, "'site_id' names no site in your scope", () -> tech.assignPolicy(policy.id(), new AssignmentRequest("site", null, siteA2)));
        tech.assignPolicy(policy.id(), new AssignmentRequest("site", null, siteA1));
        assertThat(tech.agentPolicies(a1).applied()).anySatisfy(p -> {
            assertThat(p.policyId()).isEqualTo(policy.id());
            assertThat(p.source()).isEqualTo("site");
            assertThat(p.siteId()).isEqualTo(siteA1);
        });
        expect(404, "No agent", () -> tech.agentPolicies(a2));
        expect(404, "No agent", () -> tech.excludeFromPolicy(policy.id(), b1));
        admin.assignPolicy(policy.id(), new AssignmentRequest("fleet", null, null));
        assertThat(admin.agentPolicies(b1).applied()).anySatisfy(p -> assertThat(p.source()).isEqualTo("fleet"));
        assertThat(admin.agentPolicies(a1).applied()).filteredOn(p -> p.policyId().equals(policy.id()))
                .singleElement().satisfies(p -> {
                    assertThat(p.source()).as("the most specific source").isEqualTo("site");
                    assertThat(p.sources()).extracting(s -> s.level()).containsExactlyInAnyOrder("fleet", "site");
                });
        expect(403, "fleet", () -> tech.updatePolicy(policy.id(), new PolicyRequest(null, "changed", null, null)));
        expect(403, "script checks are admin-only", () -> tech.createPolicy(new PolicyRequest("Script " + UUID.randomUUID(), null,
                List.of(Json.mapper().convertValue(Map.of("key", "s", "kind", "script", "script", "exit 0", "script_type", "sh"), CheckRequest.class)),
                null)));
        admin.deletePolicy(policy.id());
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        GuruClient admin = fleet.admin();
        PolicyView policy = admin.createPolicy(new PolicyRequest("Bad input " + UUID.randomUUID(), null, null, null));
        expect(400, "'level'", () -> admin.assignPolicy(policy.id(), new AssignmentRequest("planet", null, null)));
        expect(400, "'client_id' is required", () -> admin.assignPolicy(policy.id(), new AssignmentRequest("client", null, null)));
        expect(400, "'client_id' names no client", () -> admin.assignPolicy(policy.id(), new AssignmentRequest("client", UUID.randomUUID(), null)));
        expect(400, "checks[0]", () -> admin.updatePolicy(policy.id(), new PolicyRequest(null, null,
                List.of(Json.mapper().convertValue(Map.of("kind", "telepathy"), CheckRequest.class)), null)));
        expect(400, "'scope'", () -> admin.updatePolicy(policy.id(), new PolicyRequest(null, null,
                List.of(Json.mapper().convertValue(Map.of("kind", "process", "process", "x", "site", "A1"), CheckRequest.class)), null)));
        expect(400, "tasks[0]: Field 'cron'", () -> admin.updatePolicy(policy.id(), new PolicyRequest(null, null, null,
                List.of(new Task(null, admin.createScript(new ScriptRequest("T " + UUID.randomUUID(), "sh", "echo", List.of())).id(), null, Map.of(),
                        "not cron", null, null, null, null, null)))));
        expect(400, "'name'", () -> admin.createPolicy(new PolicyRequest(" ", null, null, null)));
        expect(409, "exists", () -> admin.createPolicy(new PolicyRequest(policy.name(), null, null, null)));
        expect(404, "No policy", () -> admin.policy(UUID.randomUUID()));
        assertThat(admin.policy(policy.id()).checks()).isEmpty();
        admin.deletePolicy(policy.id());
    }

    private static void expect(int status, String messagePart, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(GuruApiException.class).satisfies(e -> {
            GuruApiException api = (GuruApiException) e;
            assertThat(api.status()).as(api.getMessage()).isEqualTo(status);
            assertThat(api.getMessage()).contains(messagePart);
        });
    }
}
