package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.EventStream;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.ApiKeys.CreateRequest;
import com.gururmm.protocol.api.ApiKeys.Created;
import com.gururmm.protocol.api.ApiKeys.KeyView;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * API keys end to end (issue 10), on H2 and PostgreSQL: shown once and stored hashed, accepted as
 * a bearer beside session tokens (REST and the event stream), never wider than the owner at
 * creation and narrowed at use when the owner is, expiry, immediate revocation, owner disabled or
 * deleted, the MFA policy, the routes keys may not call, and the audit trail of it all.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(180)
class ApiKeyTest {
    private static final String PASSWORD = "a long enough password";
    /** A technician-level route whose empty body is refused after the role check: 400 = the role passed, 403 = it did not. */
    private static final String TECHNICIAN_PROBE = "/api/checks";

    @Parameter
    TestDatabase.Kind kind;

    private TestServer server;
    private GuruClient admin;
    private Jdbi db;
    private UUID clientA;
    private UUID siteA1;
    private UUID siteA2;
    private UUID siteB;

    @BeforeEach
    void start() {
        server = TestServer.start(kind);
        admin = server.adminClient();
        db = Jdbi.create(server.database().jdbcUrl());
        clientA = admin.createClient("Client A").id();
        siteA1 = admin.createSite(clientA, "Site A1").id();
        siteA2 = admin.createSite(clientA, "Site A2").id();
        UUID clientB = admin.createClient("Client B").id();
        siteB = admin.createSite(clientB, "Site B").id();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // --- helpers ---

    private GuruClient user(String role, ScopeView scope) {
        UserView user = admin.createUser(role + "-" + UUID.randomUUID() + "@example.test", PASSWORD, role, scope);
        GuruClient client = server.anonymousClient();
        client.login(user.email(), PASSWORD);
        return client;
    }

    private GuruClient withKey(String key) {
        return new GuruClient(server.url(), key);
    }

    private static int status(GuruClient client, String method, String path) {
        return client.raw(method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}", Map.of()).status();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private List<AuditEntry> audit(String action) {
        return admin.audit().stream().filter(e -> e.action().equals(action)).toList();
    }

    private KeyView listed(GuruClient owner, UUID id) {
        return owner.apiKeys(false).stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow();
    }

    private static ScopeView sites(UUID... ids) {
        return new ScopeView(List.of(), List.of(ids));
    }

    // --- tests ---

    @Test
    void aKeyIsShownOnceStoredOnlyAsAHashAndWorksAsABearer() throws Exception {
        Created created = admin.createApiKey(new CreateRequest("backup script"));
        assertThat(created.key()).startsWith("grmm_key_").hasSize("grmm_key_".length() + 43);
        assertThat(created.prefix()).isEqualTo(created.key().substring(0, 13));
        assertThat(created.role()).isEqualTo("admin");
        assertThat(created.scope()).as("the owner's scope").isNull();
        assertThat(Duration.between(created.createdAt(), created.expiresAt())).isEqualTo(Duration.ofDays(90));

        GuruClient key = withKey(created.key());
        assertThat(key.me().email()).isEqualTo(TestServer.ADMIN_EMAIL);
        assertThat(key.clients()).extracting(c -> c.id()).as("an admin's key sees every client").contains(clientA)
                .hasSameSizeAs(admin.clients());

        // The database holds the SHA-256 of the key, and the key itself nowhere: not in any column of the row, not in the audit log.
        String secret = created.key().substring("grmm_key_".length());
        Map<String, Object> row = db.withHandle(h -> h.createQuery("SELECT * FROM api_keys WHERE id = :id").bind("id", created.id())
                .mapToMap().one());
        assertThat(row.get("key_hash")).isEqualTo(sha256(created.key()));
        assertThat(row.values()).allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(secret));
        List<Map<String, Object>> auditRows = db.withHandle(h -> h.createQuery("SELECT * FROM audit_log").mapToMap().list());
        assertThat(auditRows).allSatisfy(r -> assertThat(r.values()).allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(secret)));
        // Listings never carry it either.
        String listing = admin.raw("GET", "/api/api-keys", null, Map.of()).body();
        assertThat(listing).contains(created.id().toString()).doesNotContain(secret);

        // Last use: time and address, written at most once a minute however often the key is used.
        KeyView used = listed(admin, created.id());
        assertThat(used.lastUsedAt()).isNotNull().isAfterOrEqualTo(created.createdAt());
        assertThat(used.lastUsedIp()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1", "::1");
        for (int i = 0; i < 5; i++) {
            key.me();
        }
        assertThat(listed(admin, created.id()).lastUsedAt()).as("no write per request").isEqualTo(used.lastUsedAt());
        // An hour-old use is stale: the next request records a new one.
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        db.useHandle(h -> h.createUpdate("UPDATE api_keys SET last_used_at = :t, last_used_ip = NULL WHERE id = :id")
                .bind("t", longAgo).bind("id", created.id()).execute());
        key.me();
        KeyView again = listed(admin, created.id());
        assertThat(again.lastUsedAt()).isAfter(longAgo.plusSeconds(3000));
        assertThat(again.lastUsedIp()).isNotNull();

        AuditEntry entry = audit("api_key.create").getFirst();
        assertThat(entry.actor()).isEqualTo(TestServer.ADMIN_EMAIL);
        assertThat(entry.target()).isEqualTo(created.id().toString());
        assertThat(entry.detail()).contains("backup script").contains(created.prefix());
    }

    @Test
    void aKeyIsNeverWiderThanItsOwnerAndItsOwnScopeNarrowsIt() {
        GuruClient tech = user("technician", new ScopeView(List.of(clientA), List.of()));
        long keysBefore = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys").mapTo(Long.class).one());

        assertThatThrownBy(() -> tech.createApiKey(new CreateRequest("too high", null, null, "admin", null)))
                .isInstanceOfSatisfying(GuruApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("'role'");
                });
        // A site of another client, and one that does not exist: the same refusal (no probing for ids).
        for (UUID outside : List.of(siteB, UUID.randomUUID())) {
            assertThatThrownBy(() -> tech.createApiKey(new CreateRequest("too wide", null, null, null, sites(outside))))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("scope.site_ids").contains("not a site in your scope");
                    });
        }
        assertThatThrownBy(() -> tech.createApiKey(new CreateRequest("empty", null, null, null, new ScopeView(List.of(), List.of())))
        ).isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        long keysAfter = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys").mapTo(Long.class).one());
        assertThat(keysAfter).as("nothing was created").isEqualTo(keysBefore);

        // A technician key for one site of the owner's client sees that site only, and acts as a technician there.
        Created narrow = tech.createApiKey(new CreateRequest("site A1 only", null, null, null, sites(siteA1)));
        GuruClient key = withKey(narrow.key());
        assertThat(key.sites(null)).extracting(s -> s.id()).containsExactly(siteA1);
        assertThat(status(key, "GET", "/api/sites/" + siteA1)).isEqualTo(200);
        assertThat(status(key, "GET", "/api/sites/" + siteA2)).as("outside the key's scope: as if unknown").isEqualTo(404);
        assertThat(status(key, "GET", "/api/sites/" + siteB)).isEqualTo(404);
        assertThat(status(key, "POST", TECHNICIAN_PROBE)).isEqualTo(400);

        // A viewer key of the admin behaves as a viewer: reads, but no technician or admin route.
        Created viewerKey = admin.createApiKey(new CreateRequest("read only", null, null, "viewer", sites(siteB)));
        GuruClient viewer = withKey(viewerKey.key());
        assertThat(viewer.me().role()).isEqualTo("viewer");
        assertThat(viewer.sites(null)).extracting(s -> s.id()).containsExactly(siteB);
        assertThat(status(viewer, "POST", TECHNICIAN_PROBE)).isEqualTo(403);
        assertThat(status(viewer, "POST", "/api/clients")).isEqualTo(403);
        assertThat(status(viewer, "GET", "/api/api-keys?all=true")).as("listing every key is for admins").isEqualTo(403);
        assertThatThrownBy(() -> admin.createApiKey(new CreateRequest("admin scoped", null, null, "admin", sites(siteB))))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void narrowingTheOwnerNarrowsTheirKeysOnTheNextRequest() {
        UserView owner = admin.createUser("owner-" + UUID.randomUUID() + "@example.test", PASSWORD, "technician",
                new ScopeView(List.of(clientA), List.of()));
        GuruClient session = server.anonymousClient();
        session.login(owner.email(), PASSWORD);
        GuruClient inherit = withKey(session.createApiKey(new CreateRequest("inherits")).key());
        GuruClient ownSites = withKey(session.createApiKey(new CreateRequest("A1", null, null, "technician", sites(siteA1))).key());
        assertThat(inherit.sites(null)).extracting(s -> s.id()).containsExactlyInAnyOrder(siteA1, siteA2);
        assertThat(status(inherit, "POST", TECHNICIAN_PROBE)).isEqualTo(400);

        // Demoted: both keys are viewers now.
        admin.updateUser(owner.id(), null, "viewer", null);
        assertThat(inherit.me().role()).isEqualTo("viewer");
        assertThat(status(inherit, "POST", TECHNICIAN_PROBE)).isEqualTo(403);
        assertThat(status(ownSites, "POST", TECHNICIAN_PROBE)).isEqualTo(403);

        // Re-scoped to site A2: the inheriting key follows, the A1 key is left with the intersection (nothing).
        admin.updateUser(owner.id(), null, "technician", sites(siteA2));
        assertThat(inherit.sites(null)).extracting(s -> s.id()).containsExactly(siteA2);
        assertThat(ownSites.sites(null)).isEmpty();
        assertThat(status(ownSites, "GET", "/api/sites/" + siteA1)).isEqualTo(404);

        // Promoted to admin: a key stays at its own role (technician) and, scoped, within its own sites.
        admin.updateUser(owner.id(), null, "admin", null);
        assertThat(ownSites.me().role()).isEqualTo("technician");
        assertThat(ownSites.sites(null)).extracting(s -> s.id()).containsExactly(siteA1);
        assertThat(status(ownSites, "POST", "/api/clients")).isEqualTo(403);
    }

    @Test
    void anExpiredKeyIsRefusedAndAudited() {
        assertThatThrownBy(() -> admin.createApiKey(new CreateRequest("past", Instant.now().minusSeconds(5), null, null, null)))
                .isInstanceOfSatisfying(GuruApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("expires_at");
                });
        assertThatThrownBy(() -> admin.createApiKey(new CreateRequest("both", Instant.now().plusSeconds(60), 3, null, null)))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(admin.apiKeys(false)).isEmpty();

        Instant expires = Instant.now().plusSeconds(3);
        Created created = admin.createApiKey(new CreateRequest("short-lived", expires, null, null, null));
        GuruClient key = withKey(created.key());
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> status(key, "GET", "/api/auth/me") == 401);
        assertThat(Instant.now()).isAfterOrEqualTo(expires);
        GuruClient.RawResponse refused = key.raw("GET", "/api/auth/me", null, Map.of());
        assertThat(refused.body()).contains("expired");
        assertThat(listed(admin, created.id()).status()).isEqualTo("expired");
        assertThat(audit("auth.api_key_refused")).anySatisfy(e -> {
            assertThat(e.target()).isEqualTo(created.id().toString());
            assertThat(e.detail()).contains("expired key");
        });
    }

    @Test
    void revocationIsImmediateForRequestsAndOpenEventStreams() throws Exception {
        GuruClient tech = user("technician", sites(siteA1));
        Created created = tech.createApiKey(new CreateRequest("ci", null, 7, null, null));
        GuruClient key = withKey(created.key());
        assertThat(key.me().role()).isEqualTo("technician");
        try (EventStream events = key.events(null, null, null)) {
            // Someone else cannot revoke it, nor learn it exists.
            GuruClient other = user("technician", sites(siteA1));
            assertThatThrownBy(() -> other.revokeApiKey(created.id()))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThat(key.me()).isNotNull();

            tech.revokeApiKey(created.id());
            assertThat(status(key, "GET", "/api/auth/me")).as("the very next request").isEqualTo(401);
            assertThat(listed(tech, created.id()).status()).isEqualTo("revoked");

            // The open stream is re-authenticated while it runs and ends with an 'unauthorized' event.
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            EventStream.Event event;
            do {
                event = events.next(Duration.ofSeconds(1));
            } while ((event == null || !event.type().equals("unauthorized")) && System.nanoTime() < deadline && !events.ended());
            assertThat(event).as("an unauthorized event before the stream ends").isNotNull();
            assertThat(event.type()).isEqualTo("unauthorized");
        }
        assertThat(audit("api_key.revoke")).singleElement().satisfies(e -> assertThat(e.target()).isEqualTo(created.id().toString()));
        // Revoking again changes nothing and audits nothing.
        tech.revokeApiKey(created.id());
        assertThat(audit("api_key.revoke")).hasSize(1);
        assertThat(audit("auth.api_key_refused")).anySatisfy(e -> assertThat(e.detail()).contains("revoked key"));
    }

    @Test
    void forgedKeysAreRefusedAuditedOnceAMinuteAndChangeNothing() {
        long auditBefore = admin.audit().size();
        String forged = "grmm_key_" + "A".repeat(43);
        GuruClient key = withKey(forged);
        for (int i = 0; i < 5; i++) {
            GuruClient.RawResponse response = key.raw("POST", "/api/clients", "{\"name\":\"forged\"}", Map.of());
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.body()).contains("\"unauthorized\"");
        }
        assertThat(status(withKey("grmm_key_" + "x".repeat(500)), "GET", "/api/auth/me")).isEqualTo(401);
        assertThat(admin.clients()).extracting(c -> c.name()).doesNotContain("forged");
        List<AuditEntry> refused = audit("auth.api_key_refused");
        assertThat(refused.stream().filter(e -> e.detail().contains("unknown key"))).as("one entry for five tries").hasSize(1);
        assertThat(refused).filteredOn(e -> e.detail().contains("unknown key")).singleElement()
                .satisfies(e -> assertThat(e.target()).contains("grmm_key_AAAA"));
        assertThat(refused).allSatisfy(e -> assertThat(e.target() + e.detail()).doesNotContain("A".repeat(20)));
        assertThat(admin.audit()).as("the two refusals, and nothing else").hasSize((int) auditBefore + 2);
    }

    @Test
    void aDisabledOrDeletedOwnerStopsTheirKeysAtOnce() {
        UserView owner = admin.createUser("leaver-" + UUID.randomUUID() + "@example.test", PASSWORD, "viewer", sites(siteA1));
        GuruClient session = server.anonymousClient();
        session.login(owner.email(), PASSWORD);
        Created first = session.createApiKey(new CreateRequest("first"));
        GuruClient key = withKey(first.key());
        assertThat(key.me().email()).isEqualTo(owner.email());

        admin.updateUser(owner.id(), true, null, null);
        assertThat(status(key, "GET", "/api/auth/me")).isEqualTo(401);
        assertThat(audit("user.update").getFirst().detail()).contains("1 API key(s) revoked");
        admin.updateUser(owner.id(), false, null, null);
        assertThat(status(key, "GET", "/api/auth/me")).as("re-enabling the account does not bring its keys back").isEqualTo(401);
        assertThat(admin.apiKeys(true)).filteredOn(k -> k.id().equals(first.id())).singleElement()
                .satisfies(k -> assertThat(k.status()).isEqualTo("revoked"));

        session.login(owner.email(), PASSWORD);
        GuruClient second = withKey(session.createApiKey(new CreateRequest("second")).key());
        assertThat(second.me().email()).isEqualTo(owner.email());
        admin.deleteUser(owner.id());
        assertThat(status(second, "GET", "/api/auth/me")).isEqualTo(401);
        long left = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys WHERE user_id = :u").bind("u", owner.id())
                .mapTo(Long.class).one());
        assertThat(left).as("the owner's keys went with the account").isZero();
    }

    @Test
    void keysCannotMintKeysOrTouchPasswordsAndMfaAndTheMfaPolicyStopsThem() {
        GuruClient tech = user("technician", sites(siteA1));
        GuruClient key = withKey(tech.createApiKey(new CreateRequest("automation")).key());
        GuruClient.RawResponse mint = key.raw("POST", "/api/api-keys", "{\"name\":\"child\"}", Map.of());
        assertThat(mint.status()).isEqualTo(403);
        assertThat(mint.body()).contains("API key cannot");
        assertThat(status(key, "POST", "/api/auth/password")).isEqualTo(403);
        assertThat(status(key, "POST", "/api/auth/logout")).isEqualTo(403);
        assertThat(status(key, "POST", "/api/auth/mfa/totp/enroll")).isEqualTo(403);
        assertThat(tech.apiKeys(false)).as("no key was minted").hasSize(1);
        GuruClient adminKey = withKey(admin.createApiKey(new CreateRequest("admin automation")).key());
        assertThat(adminKey.raw("PUT", "/api/settings/mfa", "{\"required_roles\":[]}", Map.of()).status())
                .as("an admin key cannot change the MFA policy").isEqualTo(403);

        // MFA becomes required for technicians: the technician has none, so neither their key nor their session works,
        // and no new key can be made until they set MFA up.
        admin.setMfaPolicy(List.of("technician"));
        GuruClient.RawResponse stopped = key.raw("GET", "/api/auth/me", null, Map.of());
        assertThat(stopped.status()).isEqualTo(401);
        assertThat(stopped.body()).contains("MFA");
        assertThat(tech.raw("POST", "/api/api-keys", "{\"name\":\"sneaky\"}", Map.of()).status()).isEqualTo(401);
        assertThat(audit("auth.api_key_refused")).anySatisfy(e -> assertThat(e.detail()).contains("MFA"));
        admin.setMfaPolicy(List.of());
        assertThat(key.me().role()).isEqualTo("technician");
    }

    @Test
    void onlyACompletedLoginCanCreateAKeyNotOneWaitingForItsMfaCode() {
        String email = "mfa-" + UUID.randomUUID() + "@example.test";
        admin.createUser(email, PASSWORD, "technician", sites(siteA1));
        GuruClient session = server.anonymousClient();
        session.login(email, PASSWORD);
        byte[] secret = MfaTest.secretOf(session.enrollTotp(PASSWORD));
        long step = MfaTest.step();
        session.confirmTotp(MfaTest.code(secret, step));

        GuruClient pending = server.anonymousClient();
        var challenge = pending.login(email, PASSWORD);
        assertThat(challenge.mfaRequired()).isTrue();
        assertThat(challenge.token()).isNull();
        GuruClient.RawResponse refused = pending.raw("POST", "/api/api-keys", "{\"name\":\"half logged in\"}",
                Map.of("Authorization", "Bearer " + challenge.mfaToken()));
        assertThat(refused.status()).isEqualTo(401);
        long keys = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys").mapTo(Long.class).one());
        assertThat(keys).isZero();

        pending.verifyMfa(challenge.mfaToken(), MfaTest.code(secret, step + 1));
        Created created = pending.createApiKey(new CreateRequest("after the code"));
        assertThat(withKey(created.key()).me().email()).isEqualTo(email);
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        Map<String, String> bodies = Map.of(
                "{}", "'name'",
                "{\"name\":\"   \"}", "'name'",
                "{\"name\":\"" + "n".repeat(101) + "\"}", "'name'",
                "{\"name\":\"a\\u0007b\"}", "'name'",
                "{\"name\":\"a\\u0000b\"}", "'name'",
                "{\"name\":\"x\",\"expires_in_days\":0}", "'expires_in_days'",
                "{\"name\":\"x\",\"expires_in_days\":99999}", "'expires_in_days'",
                "{\"name\":\"x\",\"role\":\"root\"}", "'role'",
                "{\"name\":\"x\",\"role\":\"viewer\",\"scope\":{\"site_ids\":[null]}}", "scope.site_ids",
                "{\"name\":\"x\",\"expires_at\":\"tomorrow\"}", "expires_at");
        bodies.forEach((body, field) -> {
            GuruClient.RawResponse response = admin.raw("POST", "/api/api-keys", body, Map.of());
            assertThat(response.status()).as(body + ": " + response.body()).isEqualTo(400);
            assertThat(response.body()).as(body).contains(field);
        });
        assertThat(admin.raw("POST", "/api/api-keys", "not json", Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("GET", "/api/api-keys?all=maybe", null, Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("DELETE", "/api/api-keys/not-a-uuid", null, Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("DELETE", "/api/api-keys/" + UUID.randomUUID(), null, Map.of()).status()).isEqualTo(404);
        assertThat(admin.apiKeys(true)).isEmpty();
    }
}
