package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Property: whatever hostile input an admin sends to any route of the route table (issue 10,
 * "Bad input"), the server never answers 5xx, every 4xx is the SPEC's JSON error with a clear
 * message, and a refused request changes nothing stored: every table (found from the schema, see
 * {@link DbSnapshot}) hashes the same before and after, and the audit log gains only refusal
 * entries. The routes come from the server's own {@link RouteTable} and their sample requests
 * from {@link AuthorizationTest#SAMPLES}, so a new route is walked the moment it is registered.
 *
 * <p>Each route gets {@link Hostile#tries()} tries per database, each one hostile thing: a body
 * derived from the route's sample (malformed JSON, wrong types, huge or deep values, NUL and
 * control characters, invalid UTF-8, unknown fields, duplicate keys), a hostile path parameter
 * ({@code ..}, {@code %00}, huge or malformed ids), or hostile query parameters. The objects the
 * paths name are real, so the input reaches the routes' own validation. Reproduce a run with the
 * seed it prints: {@code -Dgururmm.fuzz.seed=S}; try harder with {@code -Dgururmm.fuzz.tries=N}.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class MalformedInputPropertyTest {
    /** Query parameters the server's routes read (and a few they do not): each route gets some, hostile. */
    static final List<String> QUERY_NAMES = List.of("action", "active", "after_seq", "agent", "agent_id", "alert", "all", "arch", "before",
            "by", "category", "channel", "check", "client_id", "file", "follow", "from", "hostname", "include_retired", "kind", "limit", "os",
            "q", "results", "scope", "script_id", "severity", "since", "site", "site_id", "state", "status", "step", "ticket", "to", "types",
            "version", "wait", "software", "version_below", "filesystem_free_below_percent", "pending_updates_above",
            "pending_updates_older_than_days", "reboot_required", "sha256", "metric", "id", "offset", "page", "sort");
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    /** Internals a message for the caller must not show: the message should say what was wrong, not how the server is built. */
    private static final Pattern INTERNALS = Pattern.compile(
            "com\\.gururmm|java\\.(lang|util|time)|org\\.(jdbi|h2|postgresql|eclipse)|com\\.fasterxml|Exception|\\bat [a-z]+\\.[a-z]+\\.|SQL|StreamReadConstraints|JsonToken|`");
    private static final String RELEASE = "gururmm-agent-windows-arm64-9.0.0.exe";

    private static TestDatabase.Kind started;
    private static TestServer server;
    private static Fixture fixture;

    @Parameter
    TestDatabase.Kind kind;

    /** The objects a path can name, all real, so hostile input reaches each route's own checks. */
    record Fixture(String adminToken, Map<String, String> idsByPrefix, Map<String, String> placeholders) {
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
            started = null;
        }
    }

    private static synchronized TestServer server(TestDatabase.Kind kind) throws Exception {
        if (started != kind) {
            stop();
            server = TestServer.start(kind);
            fixture = fixture(server);
            started = kind;
        }
        return server;
    }

    private static Fixture fixture(TestServer server) throws Exception {
        GuruClient admin = server.adminClient();
        String agent = RawAgent.enrollNew(server, UUID.randomUUID().toString()).agentId().toString();
        String client = create(admin, "/api/clients", "{\"name\":\"Fuzz client\"}");
        String site = create(admin, "/api/clients/" + client + "/sites", "{\"name\":\"Fuzz site\"}");
        assertThat(admin.raw("PATCH", "/api/agents/" + agent, "{\"site_id\":\"" + site + "\"}", Map.of()).status()).isEqualTo(200);
        String command = create(admin, "/api/agents/" + agent + "/command", "{\"command_type\":\"sh\",\"command\":\"echo fuzz\",\"timeout_seconds\":86400}");
        String batch = create(admin, "/api/commands", "{\"agent_ids\":[\"" + agent + "\"],\"command_type\":\"sh\",\"command\":\"echo fuzz batch\"}");
        String script = create(admin, "/api/scripts", "{\"name\":\"fuzz script\",\"command_type\":\"sh\",\"command\":\"echo fuzz\"}");
        String schedule = create(admin, "/api/schedules", "{\"script_id\":\"" + script + "\",\"agent_ids\":[\"" + agent
                + "\"],\"cron\":\"0 3 * * *\",\"parameters\":{}}");
        String policy = create(admin, "/api/policies", "{\"name\":\"fuzz policy\"}");
        create(admin, "/api/policies/" + policy + "/assignments", "{\"level\":\"site\",\"site_id\":\"" + site + "\"}");
        String check = create(admin, "/api/checks", "{\"key\":\"fuzz-process\",\"kind\":\"process\",\"agent_id\":\"" + agent + "\",\"process\":\"fuzz\"}");
        String window = create(admin, "/api/maintenance-windows", "{\"agent_id\":\"" + agent + "\",\"ends_at\":\"" + java.time.Instant.now().plus(java.time.Duration.ofDays(30)) + "\"}");
        String user = create(admin, "/api/users", "{\"email\":\"victim@example.test\",\"password\":\"victim-password-123\",\"role\":\"viewer\"}");
        String channel = create(admin, "/api/notification-channels", "{\"name\":\"fuzz\",\"type\":\"webhook\",\"url\":\"https://hooks.example.test/fuzz\"}");
        admin.publishRelease(RELEASE, "fuzz build".getBytes(StandardCharsets.UTF_8), "stable");
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("/api/agents/", agent);
        ids.put("/api/commands/", command);
        ids.put("/api/batches/", batch);
        ids.put("/api/clients/", client);
        ids.put("/api/sites/", site);
        ids.put("/api/checks/", check);
        ids.put("/api/maintenance-windows/", window);
        ids.put("/api/scripts/", script);
        ids.put("/api/schedules/", schedule);
        ids.put("/api/policies/", policy);
        ids.put("/api/users/", user);
        ids.put("/api/notification-channels/", channel);
        return new Fixture(admin.token(), ids, Map.of("{siteA}", site, "{agent}", agent, "{script}", script));
    }

    private static String create(GuruClient admin, String path, String body) throws Exception {
        GuruClient.RawResponse response = admin.raw("POST", path, body, Map.of());
        assertThat(response.status()).as(path + ": " + response.body()).isBetween(200, 299);
        JsonNode node = Json.mapper().readTree(response.body());
        for (String field : List.of("id", "command_id", "batch_id")) {
            if (node.hasNonNull(field)) {
                return node.get(field).asText();
            }
        }
        throw new AssertionError("no id in " + response.body());
    }

    /** One request of the walk, as sent. */
    record Attempt(String method, String target, String bearer, byte[] body, String what) {
        String describe(Hostile.Input input) {
            return method + " " + Hostile.cut(target) + " [" + what + "]" + (input == null ? "" : " body: " + input.preview());
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void hostileInputOnEveryRouteIsRefusedCleanlyAndChangesNothing() throws Exception {
        TestServer server = server(kind);
        List<RouteTable.Route> routes = server.server().routes();
        long seed = Hostile.seed();
        int tries = Hostile.tries() * routes.size();
        System.out.println("MalformedInputPropertyTest " + kind + ": " + tries + " tries over " + routes.size() + " routes, seed " + seed
                + " (-Dgururmm.fuzz.seed=" + seed + " reproduces the run)");
        RawHttp http = new RawHttp(server.port());
        List<String> failures = new ArrayList<>();
        int refused = 0;
        Map<String, Integer> statuses = new java.util.TreeMap<>();
        try (DbSnapshot db = new DbSnapshot(server.database().jdbcUrl())) {
            DbSnapshot.State before = settled(db);
            for (int i = 0; i < tries && failures.size() < 40; i++) {
                RouteTable.Route route = routes.get(i % routes.size());
                Hostile hostile = new Hostile(seed + i);
                AuthorizationTest.Sample sample = AuthorizationTest.SAMPLES.get(route.method() + " " + route.path());
                String bearer = fixture.adminToken();
                if (sample != null && sample.freshSession()) {
                    bearer = server.adminClient().token();
                    before = settled(db);
                }
                Hostile.Input input = null;
                Attempt attempt;
                String path = fill(sample != null && sample.path() != null ? sample.path() : route.path());
                String body = sample == null ? (route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}") : sample.body();
                body = body == null ? null : fillPlaceholders(body);
                List<String> modes = new ArrayList<>(List.of("query"));
                if (PARAM.matcher(route.path()).find()) {
                    modes.add("path");
                }
                if (!route.method().equals("GET")) {
                    modes.add("body");
                    modes.add("body");
                }
                String mode = hostile.pick(modes);
                byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
                switch (mode) {
                    case "body" -> {
                        input = hostile.body(body);
                        attempt = new Attempt(route.method(), path, bearer, input.bytes(), input.what());
                    }
                    case "path" -> attempt = new Attempt(route.method(), hostilePath(hostile, route.path(), sample), bearer, bytes, "hostile path");
                    default -> {
                        String base = path.contains("?") && hostile.random.nextBoolean() ? path.substring(0, path.indexOf('?')) : path;
                        String q = hostile.query(QUERY_NAMES, 1 + hostile.random.nextInt(4));
                        attempt = new Attempt(route.method(), base + (base.contains("?") ? "&" : "?") + q, bearer, bytes, "hostile query");
                    }
                }
                RawHttp.Response response;
                try {
                    response = http.send(attempt.method(), attempt.target(), attempt.bearer(), "application/json", attempt.body());
                } catch (java.io.IOException e) {
                    failures.add(attempt.describe(input) + " -> no answer: " + e);
                    before = settled(db);
                    continue;
                }
                String problem = problem(response);
                statuses.merge(mode + " " + response.status(), 1, Integer::sum);
                if (response.status() >= 400) {
                    refused++;
                    DbSnapshot.State after = db.take();
                    List<String> changed = before.differences(after);
                    List<String> audited = db.auditSince(before).stream().filter(a -> !DbSnapshot.isRefusal(a)).toList();
                    if (!changed.isEmpty() || !audited.isEmpty()) {
                        problem = (problem == null ? "" : problem + "; ") + "refused but changed " + changed + (audited.isEmpty() ? "" : ", audited " + audited);
                        after = settled(db);
                    }
                    before = after;
                } else {
                    before = settled(db);
                }
                if (problem != null) {
                    failures.add(attempt.describe(input) + " -> " + response.status() + ": " + problem);
                }
            }
        }
        // The walk left the server serving: health and the admin's session are intact.
        assertThat(http.send("GET", "/healthz", null, null, null).status()).isEqualTo(200);
        assertThat(http.send("GET", "/api/auth/me", fixture.adminToken(), null, null).status()).isEqualTo(200);
        report(failures);
        System.out.println("MalformedInputPropertyTest " + kind + ": answers by kind of try and status " + statuses);
        assertThat(refused).as("most hostile requests are refused (the walk reached the routes)").isGreaterThan(tries / 4);
        assertThat(failures).as("hostile requests answered wrongly (seed " + seed + ")").isEmpty();
    }

    /** Why the answer breaks the property, or null: no 5xx; a 4xx is JSON {error, message} with a clear, bounded message. */
    static String problem(RawHttp.Response response) {
        if (response.status() >= 500) {
            return "server error " + Hostile.cut(response.text());
        }
        if (response.status() < 400) {
            return null;
        }
        if (!response.contentType().startsWith("application/json")) {
            return "error is not JSON (" + response.contentType() + "): " + Hostile.cut(response.text());
        }
        JsonNode body;
        try {
            body = Json.mapper().readTree(response.body());
        } catch (Exception e) {
            return "error body does not parse: " + Hostile.cut(response.text());
        }
        if (body == null || !body.path("error").isTextual() || body.path("error").asText().isBlank()
                || !body.path("message").isTextual() || body.path("message").asText().isBlank()) {
            return "error body lacks error/message: " + Hostile.cut(response.text());
        }
        String message = body.get("message").asText();
        if (message.length() > 1000) {
            return "error message of " + message.length() + " characters";
        }
        Matcher internals = INTERNALS.matcher(message);
        if (internals.find()) {
            return "error message shows internals ('" + internals.group() + "'): " + Hostile.cut(message);
        }
        return null;
    }

    /** A snapshot once background writes that followed an accepted request have settled (two equal in a row). */
    private static DbSnapshot.State settled(DbSnapshot db) throws Exception {
        DbSnapshot.State last = db.take();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(20);
            DbSnapshot.State now = db.take();
            if (now.tables().equals(last.tables())) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** The route's path with its ids filled in: the fixture's objects by collection, random ids elsewhere. */
    private static String fill(String path) {
        String filled = path;
        for (Map.Entry<String, String> e : fixture.idsByPrefix().entrySet()) {
            if (filled.startsWith(e.getKey())) {
                filled = filled.replaceFirst("\\{id}", e.getValue());
            }
        }
        return filled.replace("{file}", RELEASE).replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
    }

    private static String fillPlaceholders(String text) {
        String out = text;
        for (Map.Entry<String, String> e : fixture.placeholders().entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out.replace("{random}", UUID.randomUUID().toString());
    }

    /** One path parameter replaced by a hostile segment, or the path's structure damaged ({@code /../}, {@code //}). */
    private static String hostilePath(Hostile hostile, String routePath, AuthorizationTest.Sample sample) {
        List<String> params = new ArrayList<>();
        Matcher m = PARAM.matcher(routePath);
        while (m.find()) {
            params.add(m.group());
        }
        String segment = hostile.pathSegment();
        String path;
        if (hostile.random.nextInt(5) == 0) {
            String filled = fill(routePath);
            int cut = filled.lastIndexOf('/');
            path = filled.substring(0, cut) + hostile.pick("/../", "//", "/./", "/%2e%2e/", "/.%2e/", "/..%00/", "/%2f/") + filled.substring(cut + 1);
        } else {
            String param = hostile.pick(params);
            path = fill(routePath.replace(param, segment));
        }
        String query = sample != null && sample.path() != null && sample.path().contains("?") ? sample.path().substring(sample.path().indexOf('?')) : "";
        return path + query;
    }

    private void report(List<String> failures) throws Exception {
        Path file = Path.of("target", "fuzz-findings-http-" + kind + ".txt");
        Files.createDirectories(file.getParent());
        Files.write(file, failures);
        failures.forEach(f -> System.out.println("FINDING " + kind + ": " + f));
    }
}
