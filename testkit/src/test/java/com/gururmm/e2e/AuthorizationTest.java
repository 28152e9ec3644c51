package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.ApiKeys.CreateRequest;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.server.auth.Role;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.server.inventory.InventoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every registered route × every role × in scope / out of scope × session / API key, generated from
 * the server's route table: anonymous gets 401, a role below the route's declared minimum gets 403, others
 * pass; open routes let everyone through. Every object the table's paths name (agent, command,
 * batch, client, site) lives in site A of client A. The in-scope viewer and technician are scoped
 * to site A; the out-of-scope ones to site B of client B: on a route whose rule names an object
 * ({@code onAgent}, {@code onCommand}, ...) they get 404 — the answer of an unknown id — and no
 * answer they get may contain any of site A's ids (a listing that leaks fails here). A new route
 * is covered the moment it is registered: it only needs a row in {@link #SAMPLES} when the
 * default request (path ids filled in, {@code {}} as body) would not reach it meaningfully.
 */
class AuthorizationTest {
    /**
     * Who calls. The {@code _KEY} callers use an API key instead of a session and must get exactly
     * what the role and scope they stand for get: a technician's own key (their role and scope), an
     * admin's key restricted to the viewer role and site A (a viewer in scope), and the out-of-scope
     * technician's key; except on {@link Rule#sessionOnly} routes, which refuse every key (403).
     */
    enum Caller {
        ANONYMOUS(null, false, false), VIEWER(Role.VIEWER, false, false), TECHNICIAN(Role.TECHNICIAN, false, false),
        ADMIN(Role.ADMIN, false, false), VIEWER_OTHER_SITE(Role.VIEWER, true, false), TECHNICIAN_OTHER_SITE(Role.TECHNICIAN, true, false),
        TECHNICIAN_KEY(Role.TECHNICIAN, false, true), VIEWER_KEY_OF_ADMIN(Role.VIEWER, false, true),
        TECHNICIAN_KEY_OTHER_SITE(Role.TECHNICIAN, true, true);

        private final Role role;
        private final boolean outOfScope;
        private final boolean apiKey;

        Caller(Role role, boolean outOfScope, boolean apiKey) {
            this.role = role;
            this.outOfScope = outOfScope;
            this.apiKey = apiKey;
        }

        Role role() {
            return role;
        }

        boolean outOfScope() {
            return outOfScope;
        }

        boolean apiKey() {
            return apiKey;
        }
    }

    /**
     * How to call one route for the table.
     *
     * @param path concrete path (null = the route's own, with ids filled in)
     * @param okStatus the status an allowed caller must get; 0 = anything but 401, 403 and 5xx
     * @param freshSession call with a session made for this row alone (routes that end the caller's session)
     */
    record Sample(String path, String body, int okStatus, boolean freshSession) {
        static Sample body(String body) {
            return new Sample(null, body, 0, false);
        }
    }

    /**
     * A stable build for a platform no test agent runs, so the release routes have something real
     * to act on (200s, not 404s) without offering the fleet's agent an update.
     */
    private static final String RELEASE = "gururmm-agent-windows-arm64-9.0.0.exe";
    static final Map<String, Sample> SAMPLES = Map.ofEntries(
            // A stream never ends: a bad filter proves the caller got past the rule without holding the request open.
            Map.entry("GET /api/events", new Sample("/api/events?types=not-a-type", null, 400, false)),
            // The running command's live output so far (a page, not the follow stream, which would stay open).
            Map.entry("GET /api/commands/{id}/output", new Sample("/api/commands/{id}/output?after_seq=0", null, 200, false)),
            Map.entry("POST /api/agents/{id}/command", Sample.body("{\"command_type\":\"sh\",\"command\":\"echo authz\"}")),
            // A random id: cancelling the real command would change what later rows see.
            Map.entry("POST /api/commands/{id}/cancel", new Sample("/api/commands/{random}/cancel", null, 0, false)),
            Map.entry("POST /api/users", Sample.body("{\"email\":\"x@example.test\",\"password\":\"short\",\"role\":\"viewer\"}")),
            Map.entry("GET /api/releases", new Sample(null, null, 200, false)),
            Map.entry("GET /api/releases/latest", new Sample("/api/releases/latest?os=windows&arch=arm64", null, 200, false)),
            Map.entry("GET /api/releases/signing-key", new Sample(null, null, 200, false)),
            // Only the admin row publishes, so the 201 is not a 409 from an earlier row.
            Map.entry("POST /api/releases", new Sample("/api/releases?file=gururmm-agent-windows-arm64-9.1.0.exe", "authz upload", 201, false)),
            Map.entry("POST /api/releases/{file}/channel", new Sample(null, "{\"channel\":\"stable\"}", 200, false)),
            Map.entry("POST /api/releases/{file}/rollout", new Sample(null, "{\"percent\":100}", 200, false)),
            Map.entry("POST /api/releases/{file}/sign", new Sample(null, null, 200, false)),
            Map.entry("POST /api/releases/cleanup", new Sample(null, "{\"dry_run\":true}", 200, false)),
            // Users of every role may download; agents use their own credential (ReleaseApiTest).
            Map.entry("GET /downloads/{file}", new Sample(null, null, 200, false)),
            // Users of every role get the installer; enrollment tokens too (InstallScriptTest).
            Map.entry("GET /install.sh", new Sample(null, null, 200, false)),
            Map.entry("GET /", new Sample(null, null, 200, false)),
            Map.entry("GET /api/openapi.json", new Sample(null, null, 200, false)),
            // Ends the caller's session, so each row logs in afresh.
            Map.entry("POST /api/auth/logout", new Sample(null, null, 204, true)),
            // A random id: retiring the fleet's agent would take it away from later rows.
            Map.entry("DELETE /api/agents/{id}", new Sample("/api/agents/{random}", null, 0, false)),
            // A too-short new password reaches the route and is refused before the account is touched.
            Map.entry("POST /api/auth/password", new Sample(null, "{\"current_password\":\"x\",\"new_password\":\"short\"}", 400, false)),
            Map.entry("PATCH /api/users/{id}", new Sample("/api/users/{random}", "{\"disabled\":true}", 0, false)),
            Map.entry("DELETE /api/users/{id}", new Sample("/api/users/{random}", null, 0, false)),
            Map.entry("GET /api/inventory/search", new Sample("/api/inventory/search?reboot_required=true", null, 200, false)),
            // The fleet's agent may not have reported yet (404) or be between connections (409): both reach the route.
            Map.entry("GET /api/agents/{id}/inventory", new Sample(null, null, 0, false)),
            Map.entry("POST /api/agents/{id}/inventory/refresh", new Sample(null, null, 0, false)),
            // MFA (MfaTest covers the flows): each sample reaches the route and is refused for its input, or is harmless.
            // An unknown mfa_token is a 401, like a wrong password at login; a missing one reaches the route's own check.
            Map.entry("POST /api/auth/mfa/verify", new Sample(null, "{}", 400, false)),
            Map.entry("POST /api/auth/mfa/login-enroll", new Sample(null, "{}", 400, false)),
            Map.entry("GET /api/auth/mfa", new Sample(null, null, 200, false)),
            Map.entry("POST /api/auth/mfa/totp/enroll", new Sample(null, "{}", 400, false)),
            Map.entry("POST /api/auth/mfa/totp/confirm", new Sample(null, "{}", 400, false)),
            Map.entry("DELETE /api/auth/mfa/totp", new Sample(null, "{}", 400, false)),
            Map.entry("DELETE /api/users/{id}/mfa", new Sample("/api/users/{random}/mfa", null, 404, false)),
            Map.entry("GET /api/settings/mfa", new Sample(null, null, 200, false)),
            Map.entry("PUT /api/settings/mfa", new Sample(null, "{}", 400, false)),
            Map.entry("GET /api/server/tls", new Sample(null, null, 200, false)),
            // Prometheus text for admins (the scrape token is ServerMetricsTest's).
            Map.entry("GET /metrics", new Sample(null, null, 200, false)),
            // Tunnel: a size that is refused (400) opens no shell; unknown session ids reach the handler's 404.
            Map.entry("POST /api/v1/tunnel/sessions", new Sample(null, "{\"cols\":0,\"rows\":0}", 400, false)),
            Map.entry("GET /api/v1/tunnel/sessions", new Sample(null, null, 200, false)),
            Map.entry("POST /api/v1/tunnel/sessions/{id}/ticket", new Sample("/api/v1/tunnel/sessions/{random}/ticket", null, 404, false)),
            Map.entry("POST /api/v1/tunnel/sessions/{id}/close", new Sample("/api/v1/tunnel/sessions/{random}/close", null, 404, false)),
            Map.entry("GET /api/v1/tunnel/sessions/{id}/recording", new Sample("/api/v1/tunnel/sessions/{random}/recording", null, 404, false)),
            // A relative path reaches the route and is refused before the agent is asked anything.
            Map.entry("POST /api/agents/{id}/files", new Sample("/api/agents/{id}/files?path=relative.txt", "authz", 400, false)),
            Map.entry("GET /api/agents/{id}/files", new Sample("/api/agents/{id}/files?path=relative.txt", null, 400, false)),
            // An agent check on a process: created by the first allowed row (201), the same key again is 409.
            Map.entry("POST /api/checks", Sample.body("{\"kind\":\"process\",\"scope\":\"agent\",\"agent_id\":\"{agent}\",\"process\":\"authz\"}")),
            // A window for site A: in scope 201; a caller scoped to site B is refused (400, as for a site that does not exist).
            Map.entry("POST /api/maintenance-windows", Sample.body("{\"site\":\"Site A\",\"ends_at\":\"2099-01-01T00:00:00Z\"}")),
            // Random ids: deleting site A's check or window would take it away from later rows' listings.
            Map.entry("DELETE /api/checks/{id}", new Sample("/api/checks/{random}", null, 0, false)),
            Map.entry("DELETE /api/maintenance-windows/{id}", new Sample("/api/maintenance-windows/{random}", null, 0, false)),
            // Notifications: admin creates channels and rules and reads the delivery log; every role reads rules.
            Map.entry("POST /api/notification-channels", new Sample(null,
                    "{\"name\":\"authz\",\"type\":\"webhook\",\"url\":\"https://hooks.example.test/authz\"}", 201, false)),
            Map.entry("GET /api/notification-channels", new Sample(null, null, 200, false)),
            Map.entry("POST /api/notification-channels/{id}/test", new Sample("/api/notification-channels/{random}/test", null, 404, false)),
            Map.entry("POST /api/notification-rules", new Sample(null, "{\"name\":\"authz\",\"channel_ids\":[]}", 400, false)),
            Map.entry("GET /api/notification-rules", new Sample(null, null, 200, false)),
            Map.entry("GET /api/notification-deliveries", new Sample(null, null, 200, false)),
            Map.entry("GET /api/users/{id}", new Sample("/api/users/{random}", null, 0, false)),
            Map.entry("POST /api/users/{id}/reset-password", new Sample("/api/users/{random}/reset-password", null, 0, false)),
            // Admin rows: 409 (site A holds the agent), nothing deleted.
            Map.entry("DELETE /api/clients/{id}", new Sample(null, null, 409, false)),
            Map.entry("DELETE /api/sites/{id}", new Sample(null, null, 409, false)),
            // Names already taken: 409, nothing created or renamed.
            Map.entry("POST /api/clients", new Sample(null, "{\"name\":\"Client A\"}", 409, false)),
            Map.entry("PATCH /api/clients/{id}", new Sample(null, "{\"name\":\"Client B\"}", 409, false)),
            Map.entry("POST /api/clients/{id}/sites", new Sample(null, "{\"name\":\"Site A\"}", 409, false)),
            Map.entry("PATCH /api/sites/{id}", new Sample(null, "{\"name\":\"Site A2\"}", 409, false)),
            // Moving the agent to the site it is in changes nothing.
            Map.entry("PATCH /api/agents/{id}", new Sample(null, "{\"site_id\":\"{siteA}\"}", 200, false)),
            // Automation (issue 12). Random ids for deletes: later rows still need the script, schedule and policy.
            Map.entry("POST /api/scripts", Sample.body("{\"name\":\"authz script\",\"command_type\":\"sh\",\"command\":\"echo authz\"}")),
            Map.entry("DELETE /api/scripts/{id}", new Sample("/api/scripts/{random}", null, 0, false)),
            Map.entry("POST /api/scripts/import", Sample.body("# ---\n# name: authz import\n# command_type: sh\n# ---\necho authz\n")),
            Map.entry("POST /api/scripts/{id}/run", Sample.body("{\"agent_ids\":[\"{agent}\"],\"parameters\":{}}")),
            Map.entry("POST /api/schedules", Sample.body("{\"script_id\":\"{script}\",\"agent_ids\":[\"{agent}\"],\"cron\":\"0 4 * * *\",\"parameters\":{}}")),
            Map.entry("DELETE /api/schedules/{id}", new Sample("/api/schedules/{random}", null, 0, false)),
            Map.entry("PATCH /api/schedules/{id}", Sample.body("{\"enabled\":true}")),
            Map.entry("POST /api/policies", Sample.body("{\"name\":\"authz policy\"}")),
            Map.entry("DELETE /api/policies/{id}", new Sample("/api/policies/{random}", null, 0, false)),
            Map.entry("POST /api/policies/{id}/exclusions", Sample.body("{\"agent_id\":\"{random}\"}")),
            // API keys (ApiKeyTest covers the rules): every session may create one (keys may not: session only),
            // list its own; an unknown id is a 404 for everyone (no key is revoked by the walk).
            Map.entry("POST /api/api-keys", new Sample(null, "{\"name\":\"authz\",\"expires_in_days\":1}", 201, false)),
            Map.entry("GET /api/api-keys", new Sample(null, null, 200, false)),
            Map.entry("DELETE /api/api-keys/{id}", new Sample(null, null, 404, false)),
            // Single sign-on (OidcLoginTest covers the flow): open routes; this server has no provider configured,
            // so the SSO steps answer 404 and the config says so.
            Map.entry("GET /api/auth/config", new Sample(null, null, 200, false)),
            Map.entry("GET /api/auth/oidc/login", new Sample(null, null, 404, false)),
            Map.entry("GET /api/auth/oidc/callback", new Sample("/api/auth/oidc/callback?state=made-up&code=x", null, 404, false)),
            Map.entry("POST /api/auth/oidc/session", new Sample(null, "{\"handoff\":\"grmm_sso_made-up\"}", 404, false)));

    private static Fleet fleet;
    private static Map<Caller, GuruClient> clients;
    private static UUID agentId;
    private static UUID commandId;
    private static UUID batchId;
    private static UUID clientA;
    private static UUID siteA;
    /** Monitoring objects of site A's agent, so monitoring listings and ids would leak if unscoped. */
    private static UUID alertId;
    private static UUID checkId;
    private static UUID siteCheckId;
    private static UUID windowId;
    private static UUID siteWindowId;
    /** Automation objects: a script (no tenant), a schedule on site A's agent, a policy assigned to site A. */
    private static UUID scriptId;
    private static UUID scheduleId;
    private static UUID policyId;
    private static final Map<Caller, String[]> LOGINS = Map.of(
            Caller.VIEWER, new String[] {"viewer@example.test", "viewer-password-123"},
            Caller.TECHNICIAN, new String[] {"tech@example.test", "technician-password-123"},
            Caller.VIEWER_OTHER_SITE, new String[] {"viewer-b@example.test", "viewer-password-123"},
            Caller.TECHNICIAN_OTHER_SITE, new String[] {"tech-b@example.test", "technician-password-123"},
            Caller.ADMIN, new String[] {TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD});

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        agentId = fleet.onlineAgentId();
        GuruClient admin = fleet.admin();
        clientA = admin.createClient("Client A").id();
        siteA = admin.createSite(clientA, "Site A").id();
        admin.createSite(clientA, "Site A2");
        UUID clientB = admin.createClient("Client B").id();
        UUID siteB = admin.createSite(clientB, "Site B").id();
        admin.moveAgent(agentId, siteA);
        ScopeView inScope = new ScopeView(List.of(), List.of(siteA));
        ScopeView outOfScope = new ScopeView(List.of(), List.of(siteB));
        admin.createUser("viewer@example.test", "viewer-password-123", "viewer", inScope);
        admin.createUser("tech@example.test", "technician-password-123", "technician", inScope);
        admin.createUser("viewer-b@example.test", "viewer-password-123", "viewer", outOfScope);
        admin.createUser("tech-b@example.test", "technician-password-123", "technician", outOfScope);
        admin.publishRelease(RELEASE, "authz build".getBytes(StandardCharsets.UTF_8), "stable");
        commandId = admin.runCommand(agentId, new com.gururmm.protocol.api.Commands.CommandRequest("sh", "sleep 60", null, 120)).commandId();
        batchId = admin.runBatch(new BatchRequest(List.of(agentId), null, "sh", "echo authz batch", null, 60)).batchId();
        monitorSiteA(admin);
        scriptId = admin.createScript(new com.gururmm.protocol.api.Scripts.ScriptRequest("authz library script", "sh", "echo authz", List.of())).id();
        scheduleId = admin.createSchedule(new com.gururmm.protocol.api.Schedules.ScheduleRequest(scriptId, Map.of(), List.of(agentId), null,
                "0 3 * * *", null)).id();
        policyId = admin.createPolicy(new com.gururmm.protocol.api.Policies.PolicyRequest("authz site A policy", null, null, null)).id();
        admin.assignPolicy(policyId, new com.gururmm.protocol.api.Policies.AssignmentRequest("site", null, siteA));
        GuruClient technician = login(Caller.TECHNICIAN);
        GuruClient technicianOther = login(Caller.TECHNICIAN_OTHER_SITE);
        clients = Map.of(Caller.ANONYMOUS, fleet.server().anonymousClient(), Caller.VIEWER, login(Caller.VIEWER),
                Caller.TECHNICIAN, technician, Caller.ADMIN, admin,
                Caller.VIEWER_OTHER_SITE, login(Caller.VIEWER_OTHER_SITE), Caller.TECHNICIAN_OTHER_SITE, technicianOther,
                Caller.TECHNICIAN_KEY, withKey(technician.createApiKey(new CreateRequest("authz technician")).key()),
                Caller.VIEWER_KEY_OF_ADMIN, withKey(admin.createApiKey(new CreateRequest("authz viewer", null, null, "viewer", inScope)).key()),
                Caller.TECHNICIAN_KEY_OTHER_SITE, withKey(technicianOther.createApiKey(new CreateRequest("authz technician b")).key()));
    }

    /**
     * An agent-level check with an open alert, a site-level check, an agent and a site maintenance
     * window, and an inventory (reboot required, found by the search sample), all of site A.
     */
    private static void monitorSiteA(GuruClient admin) {
        checkId = admin.createCheck(Json.mapper().convertValue(Map.of("key", "authz-cpu", "kind", "metric_threshold",
                "agent_id", agentId.toString(), "metric", MetricName.CPU_PERCENT, "operator", ">", "threshold", 0.0, "duration", "0s"),
                CheckRequest.class)).id();
        siteCheckId = admin.createCheck(Json.mapper().convertValue(Map.of("key", "authz-site-process", "kind", "process",
                "site", "Site A", "process", "authz-site"), CheckRequest.class)).id();
        EventBus bus = fleet.server().server().bus();
        Instant at = Instant.now();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            bus.publish(MetricsReceived.TOPIC, new MetricsReceived(agentId, Instant.now(), Map.of(MetricName.CPU_PERCENT, 5.0)));
            return !admin.alerts(Map.of("agent", agentId.toString(), "check", "authz-cpu")).isEmpty();
        });
        alertId = admin.alerts(Map.of("agent", agentId.toString(), "check", "authz-cpu")).get(0).id();
        windowId = admin.createMaintenanceWindow(new MaintenanceWindowRequest(agentId, null, null, at.plus(Duration.ofDays(1)), "authz")).id();
        siteWindowId = admin.createMaintenanceWindow(new MaintenanceWindowRequest(null, "Site A", null, at.plus(Duration.ofDays(1)), "authz")).id();
        Jdbi jdbi = Jdbi.create(fleet.server().database().jdbcUrl());
        new InventoryStore(jdbi).replace(agentId, new SystemInventory(1, at, null, List.of(), List.of(),
                List.of(new SystemInventory.Filesystem("/", "ext4", "/dev/sda1", 1000, 50)), List.of(), List.of(),
                new SystemInventory.Updates("apt", 1, 0, List.of("authz-pkg"), true, "/var/run/reboot-required"), List.of()), at);
    }

    private static GuruClient withKey(String key) {
        return new GuruClient(fleet.server().url(), key);
    }

    private static GuruClient login(Caller caller) {
        GuruClient client = fleet.server().anonymousClient();
        client.login(LOGINS.get(caller)[0], LOGINS.get(caller)[1]);
        return client;
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    static Stream<Arguments> table() {
        // The rows come from a server of the same build: start one just to read its table.
        List<RouteTable.Route> routes;
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            routes = server.server().routes();
        }
        return routes.stream().flatMap(r -> Stream.of(Caller.values()).map(c -> Arguments.of(r, c)));
    }

    /** Only refusals are parsed: an allowed download's body is the build, not JSON. */
    private static String error(GuruClient.RawResponse response) throws Exception {
        JsonNode body = Json.mapper().readTree(response.body());
        return body.get("error").asText();
    }

    /** Path ids of site A's objects, by the collection the path starts with. */
    private static String concrete(String path) {
        Map<String, UUID> byPrefix = Map.ofEntries(Map.entry("/api/agents/", agentId), Map.entry("/api/commands/", commandId),
                Map.entry("/api/batches/", batchId), Map.entry("/api/clients/", clientA), Map.entry("/api/sites/", siteA),
                Map.entry("/api/alerts/", alertId), Map.entry("/api/checks/", checkId), Map.entry("/api/maintenance-windows/", windowId),
                Map.entry("/api/scripts/", scriptId), Map.entry("/api/schedules/", scheduleId), Map.entry("/api/policies/", policyId));
        String filled = path;
        for (Map.Entry<String, UUID> e : byPrefix.entrySet()) {
            if (filled.startsWith(e.getKey())) {
                filled = filled.replaceFirst("\\{id}", e.getValue().toString());
            }
        }
        return filled.replace("{file}", RELEASE).replace("{random}", UUID.randomUUID().toString())
                .replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
    }

    /** Ids no caller scoped to site B may ever see in an answer. */
    private static List<String> siteAIds() {
        return Stream.of(agentId, commandId, batchId, clientA, siteA, alertId, checkId, siteCheckId, windowId, siteWindowId, scheduleId, policyId)
                .map(UUID::toString).toList();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("table")
    void routeIsAuthorizedByItsDeclaredRule(RouteTable.Route route, Caller caller) throws Exception {
        String key = route.method() + " " + route.path();
        Sample sample = SAMPLES.getOrDefault(key, new Sample(null, route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}", 0, false));
        Rule rule = route.rule();
        // Out of scope, the real ids (never a random one, which would 404 for anyone): refused before any change.
        String path = concrete(sample.path() != null && !(caller.outOfScope() && rule.target() != null) ? sample.path() : route.path());
        String body = sample.body() == null ? null : sample.body().replace("{siteA}", siteA.toString()).replace("{agent}", agentId.toString())
                .replace("{script}", scriptId.toString()).replace("{random}", UUID.randomUUID().toString());
        GuruClient client = sample.freshSession() && caller != Caller.ANONYMOUS && !caller.apiKey() ? login(caller) : clients.get(caller);
        GuruClient.RawResponse response = client.raw(route.method(), path, body, Map.of());
        // A site A id in the path of a route without a declared target (alerts, checks, windows): the service's own check.
        boolean namesSiteA = siteAIds().stream().anyMatch(path::contains);
        if (caller.outOfScope() && response.status() < 300 && response.body() != null) {
            assertThat(response.body()).as(key + " as " + caller + " leaks site A").doesNotContain(siteAIds());
        }
        if (rule.isOpen()) {
            assertThat(response.status()).as(key + ": " + response.body()).isNotIn(401, 403).isLessThan(500);
        } else if (caller == Caller.ANONYMOUS) {
            assertThat(response.status()).as(response.body()).isEqualTo(401);
            assertThat(error(response)).isEqualTo("unauthorized");
        } else if (!caller.role().includes(rule.minimum())) {
            assertThat(response.status()).as(response.body()).isEqualTo(403);
            assertThat(error(response)).isEqualTo("forbidden");
        } else if (caller.apiKey() && rule.sessionOnly()) {
            // A key never does what needs a signed-in session, whatever its role.
            assertThat(response.status()).as(key + ": " + response.body()).isEqualTo(403);
            assertThat(error(response)).isEqualTo("forbidden");
        } else if (caller.outOfScope() && (rule.target() != null || namesSiteA)) {
            // Exactly what an unknown id gets: existence does not leak.
            assertThat(response.status()).as(key + ": " + response.body()).isEqualTo(404);
            assertThat(error(response)).isEqualTo("not_found");
        } else if (caller.outOfScope()) {
            assertThat(response.status()).as(key + ": " + response.body()).isNotIn(401, 403).isLessThan(500);
        } else if (sample.okStatus() != 0) {
            assertThat(response.status()).as(response.body()).isEqualTo(sample.okStatus());
        } else {
            assertThat(response.status()).as(key + ": " + response.body()).isNotIn(401, 403).isLessThan(500);
        }
    }

    /** The table really is generated: it holds the routes every release had, with the rules operators rely on. */
    @Test
    void tableCoversTheCoreRoutesWithTheirRoles() {
        Map<String, Rule> byRoute = new java.util.HashMap<>();
        fleet.server().server().routes().forEach(r -> byRoute.put(r.method() + " " + r.path(), r.rule()));
        assertThat(byRoute.get("POST /api/commands").minimum()).isEqualTo(Role.TECHNICIAN);
        assertThat(byRoute.get("GET /api/batches/{id}").minimum()).isEqualTo(Role.VIEWER);
        assertThat(byRoute.get("POST /api/agents/{id}/command").agentPathParam()).contains("id");
        assertThat(byRoute.get("POST /api/enrollment-tokens").minimum()).isEqualTo(Role.ADMIN);
        assertThat(byRoute.get("POST /api/auth/login").isOpen()).isTrue();
        assertThat(byRoute.get("GET /api/agents/{id}").target().kind()).isEqualTo(Rule.Kind.AGENT);
        assertThat(byRoute.get("GET /api/commands/{id}").target().kind()).isEqualTo(Rule.Kind.COMMAND);
        assertThat(byRoute.get("POST /api/commands/{id}/cancel").target().kind()).isEqualTo(Rule.Kind.COMMAND);
        assertThat(byRoute.get("GET /api/batches/{id}").target().kind()).isEqualTo(Rule.Kind.BATCH);
        assertThat(byRoute.get("GET /api/clients/{id}/sites").target().kind()).isEqualTo(Rule.Kind.CLIENT);
        assertThat(byRoute.get("POST /api/api-keys").sessionOnly()).as("a key cannot mint keys").isTrue();
        assertThat(byRoute.get("POST /api/auth/password").sessionOnly()).isTrue();
        assertThat(byRoute.get("GET /api/api-keys").sessionOnly()).isFalse();
        assertThat(byRoute).hasSizeGreaterThan(20);
    }

    /**
     * A route under an object's path must declare it in its rule, or the scope check never runs for
     * it: e.g. {@code GET /api/agents/{id}/metrics} needs {@code Rule.role(Role.VIEWER).onAgent("id")}.
     */
    @Test
    void everyRouteUnderATenantObjectDeclaresItsScope() {
        Map<String, Rule.Kind> owners = Map.of("/api/agents/{id}", Rule.Kind.AGENT, "/api/commands/{id}", Rule.Kind.COMMAND,
                "/api/batches/{id}", Rule.Kind.BATCH, "/api/clients/{id}", Rule.Kind.CLIENT, "/api/sites/{id}", Rule.Kind.SITE);
        List<String> unscoped = fleet.server().server().routes().stream()
                .filter(r -> !r.rule().isOpen())
                .filter(r -> owners.entrySet().stream().anyMatch(o -> (r.path().equals(o.getKey()) || r.path().startsWith(o.getKey() + "/"))
                        && (r.rule().target() == null || r.rule().target().kind() != o.getValue() || !r.rule().target().param().equals("id"))))
                .map(r -> r.method() + " " + r.path()).toList();
        assertThat(unscoped).as("routes naming a tenant object without its scope rule (add .onAgent(\"id\") etc.)").isEmpty();
    }

    @Test
    void responsesAreNotCachedOrSniffed() {
        GuruClient.RawResponse login = fleet.server().anonymousClient().raw("POST", "/api/auth/login",
                "{\"email\":\"" + TestServer.ADMIN_EMAIL + "\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}", Map.of());
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(login.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        GuruClient.RawResponse refused = clients.get(Caller.ANONYMOUS).raw("GET", "/api/agents", null, Map.of());
        assertThat(refused.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(refused.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }
}
