package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every route × every role: anonymous gets 401, a role below the route's minimum gets 403, others pass. */
class AuthorizationTest {
    enum Caller { ANONYMOUS, VIEWER, TECHNICIAN, ADMIN }

    /** @param okStatus the status an allowed caller must get; 0 = anything but 401, 403 and 5xx */
    record Route(String method, String path, String body, Caller minimum, int okStatus) {
        Route(String method, String path, String body, Caller minimum) {
            this(method, path, body, minimum, 0);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static Fleet fleet;
    private static Map<Caller, GuruClient> clients;
    private static UUID agentId;
    private static UUID commandId;
    /**
     * A stable build for a platform no test agent runs, so the release routes have something real
     * to act on (200s, not 404s) without offering the fleet's agent an update.
     */
    private static final String RELEASE = "gururmm-agent-windows-arm64-9.0.0.exe";

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        agentId = fleet.onlineAgentId();
        GuruClient admin = fleet.admin();
        admin.createUser("viewer@example.test", "viewer-password-123", "viewer");
        admin.createUser("tech@example.test", "technician-password-123", "technician");
        admin.publishRelease(RELEASE, "authz build".getBytes(java.nio.charset.StandardCharsets.UTF_8), "stable");
        commandId = admin.runCommand(agentId, new com.gururmm.protocol.api.Commands.CommandRequest("sh", "sleep 60", null, 120)).commandId();
        GuruClient viewer = fleet.server().anonymousClient();
        viewer.login("viewer@example.test", "viewer-password-123");
        GuruClient tech = fleet.server().anonymousClient();
        tech.login("tech@example.test", "technician-password-123");
        clients = Map.of(Caller.ANONYMOUS, fleet.server().anonymousClient(), Caller.VIEWER, viewer, Caller.TECHNICIAN, tech, Caller.ADMIN, admin);
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    static List<Route> routes() {
        return List.of(
                new Route("GET", "/api/auth/me", null, Caller.VIEWER),
                new Route("GET", "/api/agents", null, Caller.VIEWER),
                new Route("GET", "/api/agents/{agent}", null, Caller.VIEWER),
                new Route("GET", "/api/agents/{agent}/commands", null, Caller.VIEWER),
                new Route("POST", "/api/agents/{agent}/command", "{\"command_type\":\"sh\",\"command\":\"echo authz\"}", Caller.TECHNICIAN),
                new Route("GET", "/api/commands/{command}", null, Caller.VIEWER),
                new Route("POST", "/api/commands/{random}/cancel", null, Caller.TECHNICIAN),
                new Route("POST", "/api/enrollment-tokens", "{}", Caller.ADMIN),
                new Route("GET", "/api/enrollment-tokens", null, Caller.ADMIN),
                new Route("DELETE", "/api/enrollment-tokens/{random}", null, Caller.ADMIN),
                new Route("POST", "/api/users", "{\"email\":\"x@example.test\",\"password\":\"short\",\"role\":\"viewer\"}", Caller.ADMIN),
                new Route("GET", "/api/users", null, Caller.ADMIN),
                new Route("GET", "/api/audit", null, Caller.ADMIN),
                new Route("GET", "/api/releases", null, Caller.VIEWER, 200),
                new Route("GET", "/api/releases/latest?os=windows&arch=arm64", null, Caller.VIEWER, 200),
                new Route("GET", "/api/releases/signing-key", null, Caller.VIEWER, 200),
                // Only the admin row publishes, so the 201 is not a 409 from an earlier row.
                new Route("POST", "/api/releases?file=gururmm-agent-windows-arm64-9.1.0.exe", "authz upload", Caller.ADMIN, 201),
                new Route("POST", "/api/releases/{release}/channel", "{\"channel\":\"stable\"}", Caller.ADMIN, 200),
                new Route("POST", "/api/releases/{release}/rollout", "{\"percent\":100}", Caller.ADMIN, 200),
                new Route("POST", "/api/releases/{release}/sign", null, Caller.ADMIN, 200),
                new Route("POST", "/api/releases/cleanup", "{\"dry_run\":true}", Caller.ADMIN, 200),
                // Users of every role may download; agents use their own credential (ReleaseApiTest).
                new Route("GET", "/downloads/{release}", null, Caller.VIEWER, 200));
    }

    static Stream<Arguments> table() {
        return routes().stream().flatMap(r -> Stream.of(Caller.values()).map(c -> Arguments.of(r, c)));
    }

    /** Only refusals are parsed: an allowed download's body is the build, not JSON. */
    private static String error(GuruClient.RawResponse response) throws Exception {
        JsonNode body = Json.mapper().readTree(response.body());
        return body.get("error").asText();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("table")
    void routeIsAuthorizedByRole(Route route, Caller caller) throws Exception {
        String path = route.path().replace("{agent}", agentId.toString()).replace("{command}", commandId.toString())
                .replace("{random}", UUID.randomUUID().toString()).replace("{release}", RELEASE);
        GuruClient.RawResponse response = clients.get(caller).raw(route.method(), path, route.body(), Map.of());
        if (caller == Caller.ANONYMOUS) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(error(response)).isEqualTo("unauthorized");
        } else if (caller.ordinal() < route.minimum().ordinal()) {
            assertThat(response.status()).isEqualTo(403);
            assertThat(error(response)).isEqualTo("forbidden");
        } else if (route.okStatus() != 0) {
            assertThat(response.status()).as(response.body()).isEqualTo(route.okStatus());
        } else {
            assertThat(response.status()).isNotIn(401, 403).isLessThan(500);
        }
    }
}
