package com.gururmm.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.ErrorMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one before-handler, on a real Javalin: rules from the table are enforced, and a route registered around the table is refused. */
class AccessFilterTest {
    private static final UUID GUARDED_AGENT = UUID.randomUUID();
    private static Javalin app;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        AccessFilter filter = new AccessFilter(header -> {
            if ("Bearer tech".equals(header)) {
                return new Principal(UUID.randomUUID(), "tech", Role.TECHNICIAN);
            }
            throw ApiException.unauthorized("no");
        }, (id, token) -> "agent-secret".equals(token));
        filter.scope((principal, rule, agentId) -> {
            if (agentId.equals(GUARDED_AGENT) && !principal.role().includes(Role.ADMIN)) {
                throw ApiException.forbidden("guarded");
            }
        });
        app = Javalin.create(cfg -> {
            ErrorMapper.install(cfg.routes);
            RouteTable table = new RouteTable(cfg.routes);
            filter.install(cfg.routes, table);
            table.get("/open", Rule.open("test"), "open", ctx -> ctx.result("open"));
            table.get("/tech", Rule.role(Role.TECHNICIAN), "tech", ctx -> ctx.result("tech"));
            table.get("/admin", Rule.role(Role.ADMIN), "admin", ctx -> ctx.result("admin"));
            table.get("/agents/{id}", Rule.role(Role.TECHNICIAN).onAgent("id"), "agent", ctx -> ctx.result("agent"));
            table.get("/file", Rule.role(Role.VIEWER).orAgentCredential(), "file", ctx -> ctx.result("file"));
            // Registered around the table: no rule, so it must never answer.
            cfg.routes.get("/sneaky", ctx -> ctx.result("sneaky"));
            cfg.routes.get("/public/app.js", ctx -> ctx.result("js"));
            table.openStaticFiles("/public/");
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rulesAreEnforced() throws Exception {
        assertThat(get("/open").statusCode()).isEqualTo(200);
        assertThat(get("/tech").statusCode()).isEqualTo(401);
        assertThat(get("/tech", "Authorization", "Bearer tech").statusCode()).isEqualTo(200);
        assertThat(get("/admin", "Authorization", "Bearer tech").statusCode()).isEqualTo(403);
    }

    @Test
    void agentScopeAppliesOnTopOfTheRole() throws Exception {
        assertThat(get("/agents/" + UUID.randomUUID(), "Authorization", "Bearer tech").statusCode()).isEqualTo(200);
        assertThat(get("/agents/" + GUARDED_AGENT, "Authorization", "Bearer tech").statusCode()).isEqualTo(403);
        assertThat(get("/agents/not-a-uuid", "Authorization", "Bearer tech").statusCode()).isEqualTo(400);
    }

    @Test
    void agentCredentialIsAcceptedOnlyWhereDeclared() throws Exception {
        String id = UUID.randomUUID().toString();
        assertThat(get("/file", "Authorization", "Bearer agent-secret", AccessFilter.AGENT_ID_HEADER, id).statusCode()).isEqualTo(200);
        assertThat(get("/file", "Authorization", "Bearer wrong", AccessFilter.AGENT_ID_HEADER, id).statusCode()).isEqualTo(401);
        assertThat(get("/tech", "Authorization", "Bearer agent-secret", AccessFilter.AGENT_ID_HEADER, id).statusCode()).isEqualTo(401);
    }

    @Test
    void declaredStaticPrefixesAreOpen() throws Exception {
        assertThat(get("/public/app.js").statusCode()).isEqualTo(200);
    }

    @Test
    void aRouteWithoutARuleFailsClosed() throws Exception {
        HttpResponse<String> response = get("/sneaky", "Authorization", "Bearer tech");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isNotEqualTo("sneaky").contains("declares no access rule");
    }
}
