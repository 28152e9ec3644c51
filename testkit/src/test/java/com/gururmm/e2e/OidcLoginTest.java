package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.ApiKeys;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.protocol.api.Auth.UserDetail;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.Sso.AuthConfig;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10, single sign-on, end to end against a real OpenID Connect provider running in this JVM
 * (mock-oauth2-server: discovery, JWKS, authorize and token endpoints, PKCE checked), on H2 and
 * PostgreSQL. This test is the browser: it follows the redirects over real HTTP and keeps the
 * login cookie. Covered: the code + PKCE flow ending in a working session; claims mapped to role
 * and scope (a technician of one site sees that site's agent only, the other answers 404); the
 * mapping re-applied at the next login under the same identity; disabled users, unknown roles,
 * bad, missing, reused or foreign state, wrong nonce, issuer, audience, an expired token, a token
 * signed by another key, the provider's own refusal and the MFA policy: each refused, audited,
 * nothing created; password login disabled with API keys still working.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class OidcLoginTest {
    static final String CLIENT_ID = "gururmm-test";
    private static final Map<TestDatabase.Kind, World> WORLDS = new EnumMap<>(TestDatabase.Kind.class);
    private static MockOAuth2Server provider;

    @Parameter
    TestDatabase.Kind kind;

    private record World(Fleet fleet, GuruClient admin, String issuerId, UUID agentA, UUID agentB) {
        URI url() {
            return fleet.server().url();
        }
    }

    @BeforeAll
    static void startProvider() {
        provider = new MockOAuth2Server();
        provider.start();
    }

    @AfterAll
    static void stop() {
        WORLDS.values().forEach(w -> w.fleet().close());
        WORLDS.clear();
        if (provider != null) {
            provider.shutdown();
        }
    }

    static Map<String, String> oidcEnv(MockOAuth2Server mock, String issuerId) {
        Map<String, String> env = new HashMap<>();
        env.put("GURURMM_OIDC_ISSUER", mock.issuerUrl(issuerId).toString());
        env.put("GURURMM_OIDC_CLIENT_ID", CLIENT_ID);
        env.put("GURURMM_OIDC_CLIENT_SECRET", "not-a-real-secret");
        env.put("GURURMM_OIDC_ROLE_MAP", "rmm-admins=admin,rmm-techs=technician,rmm-viewers=viewer");
        return env;
    }

    private World world() {
        return WORLDS.computeIfAbsent(kind, k -> {
            String issuerId = "sso-" + k.name().toLowerCase();
            Fleet fleet = new Fleet(TestServer.start(k, oidcEnv(provider, issuerId)));
            GuruClient admin = fleet.admin();
            UUID acme = admin.createClient("Acme").id();
            UUID hq = admin.createSite(acme, "HQ").id();
            UUID globex = admin.createClient("Globex").id();
            UUID main = admin.createSite(globex, "Main").id();
            return new World(fleet, admin, issuerId, enroll(fleet, hq), enroll(fleet, main));
        });
    }

    private static UUID enroll(Fleet fleet, UUID site) {
        String token = fleet.admin().createEnrollmentToken(new CreateRequest(null, 1, null, site)).token();
        AgentProcess agent = fleet.track(AgentProcess.create(fleet.server().url(), token));
        return agent.start().awaitOnline(fleet.admin());
    }

    /** What the provider puts in the next ID token it issues for {@code issuerId}. */
    static void nextToken(MockOAuth2Server mock, String issuerId, String subject, Map<String, Object> claims, long expirySeconds) {
        mock.enqueueCallback(new DefaultOAuth2TokenCallback(issuerId, subject, "JWT", null, claims, expirySeconds));
    }

    static Map<String, Object> claims(String email, Object groups, Object scope, Object... more) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("email", email);
        if (groups != null) {
            c.put("groups", groups);
        }
        if (scope != null) {
            c.put("gururmm_scope", scope);
        }
        for (int i = 0; i < more.length; i += 2) {
            c.put((String) more[i], more[i + 1]);
        }
        return c;
    }

    private LoginResponse ssoLogin(World w, String subject, Map<String, Object> claims) {
        nextToken(provider, w.issuerId(), subject, claims, 3600);
        return new SsoBrowser(w.url()).login();
    }

    private static List<AuditEntry> audit(World w, String action) {
        return w.admin().audit().stream().filter(e -> e.action().equals(action)).toList();
    }

    private static UserDetail user(World w, String email) {
        return w.admin().users().stream().filter(u -> u.email().equals(email)).findFirst().orElseThrow();
    }

    @Test
    void codeFlowWithPkceLogsInATechnicianWhoSeesOnlyItsSite() {
        World w = world();
        nextToken(provider, w.issuerId(), "tech-1", claims("Tech1@Example.test", List.of("staff", "rmm-techs"), List.of("Acme/HQ")), 3600);
        SsoBrowser browser = new SsoBrowser(w.url());
        URI authorize = browser.start();
        Map<String, String> q = query(authorize);
        assertThat(authorize.toString()).startsWith(provider.authorizationEndpointUrl(w.issuerId()).toString());
        assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", CLIENT_ID)
                .containsEntry("code_challenge_method", "S256").containsEntry("redirect_uri", w.url() + "/api/auth/oidc/callback")
                .containsKeys("state", "nonce", "code_challenge");
        assertThat(q.get("scope")).contains("openid");
        assertThat(browser.setCookie).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/api/auth/oidc");

        URI callback = browser.atProvider(authorize);
        HttpResponse<String> done = browser.get(callback, true);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
        String location = done.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/#sso=");
        LoginResponse session = browser.session(location.substring("/#sso=".length()));
        assertThat(session.token()).isNotBlank();
        assertThat(session.user().email()).isEqualTo("tech1@example.test");
        assertThat(session.user().role()).isEqualTo("technician");

        GuruClient tech = new GuruClient(w.url(), session.token());
        assertThat(tech.me().role()).isEqualTo("technician");
        assertThat(tech.agents()).extracting(a -> a.id()).containsExactly(w.agentA());
        assertThatThrownBy(() -> tech.agent(w.agentB())).isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(404));

        // The handoff is single use, and so is the state: replaying either is refused.
        assertThat(browser.sessionRaw(location.substring("/#sso=".length())).statusCode()).isEqualTo(401);
        HttpResponse<String> replay = browser.get(callback, true);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("unknown, expired or already used");

        assertThat(audit(w, "user.create")).anySatisfy(e -> assertThat(e.target()).isEqualTo("tech1@example.test"));
        assertThat(audit(w, "auth.login")).anySatisfy(e -> {
            assertThat(e.target()).isEqualTo("tech1@example.test");
            assertThat(e.detail()).contains("with SSO");
        });
    }

    @Test
    void twoFirstLoginsOfOneIdentityAtOnceMakeOneUser() throws Exception {
        World w = world();
        for (int round = 0; round < 12; round++) {
            String subject = "twin-" + round;
            String email = "twin" + round + "@example.test";
            List<SsoBrowser> browsers = List.of(new SsoBrowser(w.url()), new SsoBrowser(w.url()));
            List<URI> callbacks = new java.util.ArrayList<>();
            for (SsoBrowser b : browsers) {
                nextToken(provider, w.issuerId(), subject, claims(email, "rmm-techs", "Acme"), 3600);
                callbacks.add(b.atProvider(b.start()));
            }
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                List<java.util.concurrent.Future<HttpResponse<String>>> done = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    int n = i;
                    done.add(pool.submit(() -> {
                        together.await();
                        return browsers.get(n).get(callbacks.get(n), true);
                    }));
                }
                for (var f : done) {
                    HttpResponse<String> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
                }
            }
            assertThat(w.admin().users()).filteredOn(u -> u.email().equals(email)).hasSize(1);
            assertThat(audit(w, "user.create")).filteredOn(e -> e.target().equals(email)).hasSize(1);
        }
    }

    @Test
    void mappingIsReappliedAtEachLoginUnderTheSameIdentity() {
        World w = world();
        LoginResponse first = ssoLogin(w, "tech-2", claims("tech2@example.test", "rmm-techs", "Acme"));
        assertThat(new GuruClient(w.url(), first.token()).agents()).extracting(a -> a.id()).containsExactly(w.agentA());
        int users = w.admin().users().size();

        // The provider moved them: now a viewer of Globex/Main (and a value naming nothing is skipped).
        LoginResponse second = ssoLogin(w, "tech-2", claims("tech2@example.test", List.of("rmm-viewers"), List.of("Globex/Main", "Nowhere/None")));
        assertThat(second.user().id()).isEqualTo(first.user().id());
        assertThat(second.user().role()).isEqualTo("viewer");
        assertThat(w.admin().users()).hasSize(users);
        GuruClient viewer = new GuruClient(w.url(), second.token());
        assertThat(viewer.agents()).extracting(a -> a.id()).containsExactly(w.agentB());
        // The older session follows the user's current role and scope too.
        assertThat(new GuruClient(w.url(), first.token()).me().role()).isEqualTo("viewer");
        assertThat(audit(w, "user.sso_mapping")).anySatisfy(e -> assertThat(e.detail()).contains("technician -> viewer").contains("Nowhere/None"));

        // Identity is issuer + sub, never the e-mail: another subject with this e-mail gets nothing.
        nextToken(provider, w.issuerId(), "impostor", claims("tech2@example.test", "rmm-admins", null), 3600);
        HttpResponse<String> refused = new SsoBrowser(w.url()).callback();
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(w.admin().users()).hasSize(users);
        assertThat(user(w, "tech2@example.test").role()).isEqualTo("viewer");
    }

    @Test
    void anAdminGroupMapsToAdminAndAnUnknownRoleIsRefused() {
        World w = world();
        LoginResponse admin = ssoLogin(w, "boss", claims("boss@example.test", List.of("rmm-viewers", "rmm-admins"), null));
        assertThat(admin.user().role()).isEqualTo("admin");
        assertThat(new GuruClient(w.url(), admin.token()).agents()).hasSize(2);

        int users = w.admin().users().size();
        nextToken(provider, w.issuerId(), "stranger", claims("stranger@example.test", List.of("nobody"), null), 3600);
        HttpResponse<String> refused = new SsoBrowser(w.url()).callback();
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("maps to no GuruRMM role");
        nextToken(provider, w.issuerId(), "stranger", claims("stranger@example.test", null, null), 3600);
        assertThat(new SsoBrowser(w.url()).callback().statusCode()).isEqualTo(403);
        assertThat(w.admin().users()).hasSize(users);
        assertThat(audit(w, "auth.sso_failed")).anySatisfy(e -> assertThat(e.detail()).contains("maps to no GuruRMM role"));
    }

    @Test
    void aDisabledUserIsRefused() {
        World w = world();
        LoginResponse first = ssoLogin(w, "leaver", claims("leaver@example.test", "rmm-techs", "Acme"));
        w.admin().updateUser(first.user().id(), true, null);
        nextToken(provider, w.issuerId(), "leaver", claims("leaver@example.test", "rmm-techs", "Acme"), 3600);
        HttpResponse<String> refused = new SsoBrowser(w.url()).callback();
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("disabled");
        assertThat(user(w, "leaver@example.test").disabled()).isTrue();
        assertThat(audit(w, "auth.sso_failed")).anySatisfy(e -> assertThat(e.detail()).contains("disabled"));
    }

    @Test
    void badMissingReusedOrForeignStateIsRefused() {
        World w = world();
        int audited = audit(w, "auth.sso_failed").size();
        SsoBrowser browser = new SsoBrowser(w.url());
        URI callback = browser.atProvider(browser.start());
        String base = w.url() + "/api/auth/oidc/callback";
        // missing, and made-up state
        assertThat(browser.get(URI.create(base + "?code=abc"), true).statusCode()).isEqualTo(400);
        assertThat(browser.get(URI.create(base + "?code=abc&state=made-up"), true).statusCode()).isEqualTo(400);
        // a real state, presented by another browser (no cookie, then a different one)
        SsoBrowser other = new SsoBrowser(w.url());
        other.start();
        HttpResponse<String> foreign = other.get(callback, true);
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(foreign.body()).contains("another browser");
        // ... which also spent it: the rightful browser must start again
        HttpResponse<String> reused = browser.get(callback, true);
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(reused.body()).contains("already used");
        SsoBrowser noCookie = new SsoBrowser(w.url());
        URI cb2 = noCookie.atProvider(noCookie.start());
        assertThat(noCookie.get(cb2, false).statusCode()).isEqualTo(400);
        // the provider's own refusal
        SsoBrowser denied = new SsoBrowser(w.url());
        String state = query(denied.start()).get("state");
        assertThat(denied.get(URI.create(base + "?error=access_denied&state=" + state), true).statusCode()).isEqualTo(401);
        // a handoff that was never issued
        assertThat(denied.sessionRaw("grmm_sso_made-up").statusCode()).isEqualTo(401);
        assertThat(audit(w, "auth.sso_failed").size()).isGreaterThanOrEqualTo(audited + 6);
    }

    @Test
    void wrongNonceIssuerAudienceOrAnExpiredTokenIsRefused() {
        World w = world();
        int users = w.admin().users().size();
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        cases.put("nonce", claims("forged1@example.test", "rmm-admins", null, "nonce", "not-the-one-we-sent"));
        cases.put("issuer", claims("forged2@example.test", "rmm-admins", null, "iss", "http://evil.example.test/sso"));
        cases.put("audience", claims("forged3@example.test", "rmm-admins", null, "aud", "some-other-client"));
        cases.forEach((what, c) -> {
            nextToken(provider, w.issuerId(), "forged-" + what, c, 3600);
            HttpResponse<String> refused = new SsoBrowser(w.url()).callback();
            assertThat(refused.statusCode()).as(what + ": " + refused.body()).isEqualTo(401);
            assertThat(refused.body()).as(what).containsIgnoringCase("ID token was refused").containsIgnoringCase(what);
        });
        // Expired an hour ago (the token response itself stays well-formed: only the ID token's exp is old).
        long anHourAgo = java.time.Instant.now().minusSeconds(3600).getEpochSecond();
        nextToken(provider, w.issuerId(), "late", claims("late@example.test", "rmm-admins", null, "exp", anHourAgo), 3600);
        HttpResponse<String> expired = new SsoBrowser(w.url()).callback();
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).containsIgnoringCase("expired");
        assertThat(w.admin().users()).hasSize(users);
        assertThat(audit(w, "auth.sso_failed")).anySatisfy(e -> assertThat(e.detail()).containsIgnoringCase("nonce"));
    }

    @Test
    void theMfaPolicyNeedsTheProvidersSecondFactor() {
        World w = world();
        w.admin().setMfaPolicy(List.of("technician"));
        try {
            nextToken(provider, w.issuerId(), "tech-mfa", claims("techmfa@example.test", "rmm-techs", "Acme", "amr", List.of("pwd")), 3600);
            HttpResponse<String> refused = new SsoBrowser(w.url()).callback();
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("MFA is required");
            assertThat(w.admin().users()).noneMatch(u -> u.email().equals("techmfa@example.test"));

            LoginResponse ok = ssoLogin(w, "tech-mfa", claims("techmfa@example.test", "rmm-techs", "Acme", "amr", List.of("pwd", "mfa")));
            // No local TOTP, yet the session passes the policy: the provider vouched for the second factor.
            assertThat(new GuruClient(w.url(), ok.token()).agents()).extracting(a -> a.id()).containsExactly(w.agentA());
        } finally {
            w.admin().setMfaPolicy(List.of());
        }
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() throws IOException {
        if (kind != TestDatabase.Kind.H2) {
            return; // the check is in the server, not the store: once is enough
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MockOAuth2Server first = new MockOAuth2Server();
        first.start(port);
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, oidcEnv(first, "keys"))) {
            nextToken(first, "keys", "someone", claims("someone@example.test", "rmm-admins", null), 3600);
            assertThat(new SsoBrowser(server.url()).login().token()).isNotBlank();
            first.shutdown();
            // The same provider address now signs with a key of its own making (same key id, other key):
            // the server has the real provider's key and refuses the signature.
            MockOAuth2Server impostor = new MockOAuth2Server(new OAuth2Config(false, null, null, false,
                    new OAuth2TokenProvider(new KeyProvider(List.of()))));
            impostor.start(port);
            try {
                nextToken(impostor, "keys", "someone", claims("someone@example.test", "rmm-admins", null), 3600);
                HttpResponse<String> refused = new SsoBrowser(server.url()).callback();
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
                assertThat(refused.body()).containsIgnoringCase("signature");
                GuruClient admin = server.adminClient();
                assertThat(admin.audit()).anySatisfy(e -> {
                    assertThat(e.action()).isEqualTo("auth.sso_failed");
                    assertThat(e.detail()).containsIgnoringCase("signature");
                });
            } finally {
                impostor.shutdown();
            }
        }
    }

    @Test
    void passwordLoginCanBeDisabledWhileSsoAndApiKeysWork() {
        if (kind != TestDatabase.Kind.H2) {
            return; // configuration, not storage: once is enough
        }
        Map<String, String> env = oidcEnv(provider, "sso-only");
        env.put("GURURMM_LOCAL_LOGIN", "disabled");
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, env)) {
            GuruClient anonymous = server.anonymousClient();
            assertThatThrownBy(() -> anonymous.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("Password login is disabled");
                    });
            // Not even a right password gets through, and a wrong one learns nothing more.
            assertThat(anonymous.raw("POST", "/api/auth/login", "{\"email\":\"x@y.z\",\"password\":\"wrong\"}", Map.of()).status()).isEqualTo(403);
            AuthConfig config = Json.mapper().convertValue(
                    Json.mapper().readTree(anonymous.raw("GET", "/api/auth/config", null, Map.of()).body()), AuthConfig.class);
            assertThat(config.localLogin()).isFalse();
            assertThat(config.sso()).isTrue();
            assertThat(config.ssoLoginUrl()).isEqualTo("/api/auth/oidc/login");

            nextToken(provider, "sso-only", "ops", claims("ops@example.test", "rmm-admins", null), 3600);
            LoginResponse session = new SsoBrowser(server.url()).login();
            GuruClient admin = new GuruClient(server.url(), session.token());
            ApiKeys.Created key = admin.createApiKey(new ApiKeys.CreateRequest("automation"));
            GuruClient automation = new GuruClient(server.url(), key.key());
            assertThat(automation.me().email()).isEqualTo("ops@example.test");
            assertThat(automation.users()).extracting(UserDetail::email).contains(TestServer.ADMIN_EMAIL);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                out.put(URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** A browser over plain HTTP: follows no redirect by itself, keeps GuruRMM's login cookie. */
    static final class SsoBrowser {
        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        private final URI server;
        String cookie;
        String setCookie;

        SsoBrowser(URI server) {
            this.server = server;
        }

        /** GET /api/auth/oidc/login: keeps the cookie, returns the provider's authorize URL. */
        URI start() {
            HttpResponse<String> r = get(server.resolve("/api/auth/oidc/login"), false);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
            setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
            cookie = setCookie.substring(0, setCookie.indexOf(';'));
            return URI.create(r.headers().firstValue("Location").orElseThrow());
        }

        /** The provider authenticates (non-interactive) and redirects back: the callback URL with code and state. */
        URI atProvider(URI authorize) {
            HttpResponse<String> r = get(authorize, false);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
            return URI.create(r.headers().firstValue("Location").orElseThrow());
        }

        /** The whole way to the callback's answer. */
        HttpResponse<String> callback() {
            return get(atProvider(start()), true);
        }

        LoginResponse login() {
            HttpResponse<String> done = callback();
            assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
            String location = done.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("/#sso=");
            return session(location.substring("/#sso=".length()));
        }

        LoginResponse session(String handoff) {
            HttpResponse<String> r = sessionRaw(handoff);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            try {
                return Json.mapper().readValue(r.body(), LoginResponse.class);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        HttpResponse<String> sessionRaw(String handoff) {
            HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve("/api/auth/oidc/session")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"handoff\":\"" + handoff + "\"}"));
            if (cookie != null) {
                b.header("Cookie", cookie);
            }
            return send(b.build());
        }

        HttpResponse<String> get(URI uri, boolean withCookie) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
            if (withCookie && cookie != null) {
                b.header("Cookie", cookie);
            }
            return send(b.build());
        }

        private HttpResponse<String> send(HttpRequest request) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
