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

    record Route(String method, String path, String body, Caller minimum) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static Fleet fleet;
    private static Map<Caller, GuruClient> clients;
    private static UUID agentId;
    private static UUID commandId;

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        agentId = fleet.onlineAgentId();
        GuruClient admin = fleet.admin();
        admin.createUser("viewer@example.test", "viewer-password-123", "viewer");
        admin.createUser("tech@example.test", "technician-password-123", "technician");
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
                new Route("GET", "/api/audit", null, Caller.ADMIN));
    }

    static Stream<Arguments> table() {
        return routes().stream().flatMap(r -> Stream.of(Caller.values()).map(c -> Arguments.of(r, c)));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("table")
    void routeIsAuthorizedByRole(Route route, Caller caller) throws Exception {
        String path = route.path().replace("{agent}", agentId.toString()).replace("{command}", commandId.toString())
                .replace("{random}", UUID.randomUUID().toString());
        GuruClient.RawResponse response = clients.get(caller).raw(route.method(), path, route.body(), Map.of());
        JsonNode body = response.body().isEmpty() ? null : Json.mapper().readTree(response.body());
        if (caller == Caller.ANONYMOUS) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(body.get("error").asText()).isEqualTo("unauthorized");
        } else if (caller.ordinal() < route.minimum().ordinal()) {
            assertThat(response.status()).isEqualTo(403);
            assertThat(body.get("error").asText()).isEqualTo("forbidden");
        } else {
            assertThat(response.status()).isNotIn(401, 403).isLessThan(500);
        }
    }
}
