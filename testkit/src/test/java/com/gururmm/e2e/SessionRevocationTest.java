package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.protocol.api.Auth.UserDetail;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 8, finding 7: a session token stops working on the very next request after logout,
 * password change, disable, delete; a role change applies at once; a token must carry exp.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class SessionRevocationTest {
    private static final String PASSWORD = "a long enough password";

    @Parameter
    TestDatabase.Kind kind;

    private TestServer server;
    private GuruClient admin;

    @BeforeEach
    void start() {
        server = TestServer.start(kind);
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private UserView newUser(String role) {
        return admin.createUser(role + "-" + UUID.randomUUID() + "@example.test", PASSWORD, role);
    }

    private GuruClient login(String email, String password) {
        GuruClient client = server.anonymousClient();
        client.login(email, password);
        return client;
    }

    /** Another holder of the same token, as a thief who copied it would be. */
    private GuruClient copyOf(GuruClient client) {
        return new GuruClient(server.url(), client.token());
    }

    private static void assertRefused(GuruClient client, int status) {
        assertThatThrownBy(client::me).isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(status));
    }

    private List<String> auditActions() {
        return admin.audit().stream().map(AuditEntry::action).toList();
    }

    @Test
    void logoutEndsThatTokenOnTheNextRequestAndOnlyThatOne() {
        UserView user = newUser("viewer");
        GuruClient session = login(user.email(), PASSWORD);
        GuruClient other = login(user.email(), PASSWORD);
        GuruClient thief = copyOf(session);
        assertThat(thief.me().id()).isEqualTo(user.id());

        session.logout();

        assertRefused(thief, 401);
        assertThat(other.me().id()).as("the user's other session").isEqualTo(user.id());
        assertThat(thief.raw("POST", "/api/auth/logout", null, Map.of()).status()).as("a second logout").isEqualTo(401);
        assertThat(auditActions()).contains("auth.logout");
    }

    @Test
    void passwordChangeEndsEverySessionAndContinuesWithAFreshToken() {
        UserView user = newUser("technician");
        GuruClient session = login(user.email(), PASSWORD);
        GuruClient elsewhere = login(user.email(), PASSWORD);
        GuruClient thief = copyOf(session);

        assertThatThrownBy(() -> session.changePassword("wrong password!", "another long password"))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> session.changePassword(PASSWORD, "short"))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(thief.me().id()).as("refused changes end nothing").isEqualTo(user.id());
        assertThat(elsewhere.me().id()).isEqualTo(user.id());

        var fresh = session.changePassword(PASSWORD, "another long password");

        assertThat(fresh.token()).isNotEqualTo(thief.token());
        assertThat(session.me().id()).as("the caller continues with the fresh token").isEqualTo(user.id());
        assertRefused(thief, 401);
        assertRefused(elsewhere, 401);
        assertThatThrownBy(() -> login(user.email(), PASSWORD)).isInstanceOf(GuruApiException.class);
        assertThat(login(user.email(), "another long password").me().id()).isEqualTo(user.id());
        assertThat(auditActions()).contains("user.password_change", "user.password_change_failed");
    }

    @Test
    void disablingAUserEndsTheirSessionsAtOnceAndEnablingNeedsANewLogin() {
        UserView user = newUser("technician");
        GuruClient session = login(user.email(), PASSWORD);
        assertThat(session.me().id()).as("a caller the server has seen, and may remember").isEqualTo(user.id());

        UserDetail disabled = admin.updateUser(user.id(), true, null);

        assertThat(disabled.disabled()).isTrue();
        assertRefused(session, 401);
        assertThatThrownBy(() -> login(user.email(), PASSWORD)).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(401));
        admin.updateUser(user.id(), false, null);
        assertRefused(session, 401);
        assertThat(login(user.email(), PASSWORD).me().id()).isEqualTo(user.id());
        assertThat(admin.users()).filteredOn(u -> u.id().equals(user.id())).singleElement()
                .satisfies(u -> assertThat(u.disabled()).isFalse());
    }

    @Test
    void deletingAUserEndsTheirSessions() {
        UserView user = newUser("admin");
        GuruClient session = login(user.email(), PASSWORD);
        assertThat(session.me().id()).as("a caller the server has seen, and may remember").isEqualTo(user.id());

        admin.deleteUser(user.id());

        assertRefused(session, 401);
        assertThat(admin.users()).noneMatch(u -> u.id().equals(user.id()));
        assertThatThrownBy(() -> admin.deleteUser(user.id())).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThat(auditActions()).contains("user.delete");
    }

    @Test
    void aRoleChangeAppliesOnTheNextRequest() {
        UserView user = newUser("admin");
        GuruClient session = login(user.email(), PASSWORD);
        assertThat(session.raw("GET", "/api/users", null, Map.of()).status()).isEqualTo(200);

        admin.updateUser(user.id(), null, "viewer");

        assertThat(session.raw("GET", "/api/users", null, Map.of()).status()).isEqualTo(403);
        assertThat(session.me().role()).isEqualTo("viewer");
        assertThat(auditActions()).contains("user.update");
    }

    @Test
    void aScopeChangeOrANewSiteInAGrantedClientAppliesOnTheNextRequest() {
        var client = admin.createClient("Revocation " + UUID.randomUUID());
        var first = admin.createSite(client.id(), "First");
        UserView user = admin.createUser("scoped-" + UUID.randomUUID() + "@example.com", PASSWORD, "technician",
                new com.gururmm.protocol.api.Auth.ScopeView(List.of(client.id()), List.of()));
        GuruClient session = login(user.email(), PASSWORD);
        assertThat(session.sites(null)).extracting(s -> s.id()).containsExactly(first.id());

        var second = admin.createSite(client.id(), "Second");
        assertThat(session.sites(null)).as("a site added to a granted client").extracting(s -> s.id())
                .containsExactlyInAnyOrder(first.id(), second.id());

        admin.updateUser(user.id(), null, null, new com.gururmm.protocol.api.Auth.ScopeView(List.of(), List.of(second.id())));
        assertThat(session.sites(null)).as("the grant narrowed to one site").extracting(s -> s.id()).containsExactly(second.id());
    }

    @Test
    void thereIsAlwaysAnEnabledAdmin() {
        UUID self = admin.me().id();
        for (Runnable change : List.<Runnable>of(() -> admin.updateUser(self, true, null), () -> admin.updateUser(self, null, "technician"),
                () -> admin.deleteUser(self))) {
            assertThatThrownBy(change::run).isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        }
        UserView second = newUser("admin");
        admin.updateUser(second.id(), true, null);
        assertThatThrownBy(() -> admin.updateUser(self, null, "viewer")).as("a disabled admin does not count")
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        admin.updateUser(second.id(), false, null);
        assertThat(admin.updateUser(self, null, "technician").role()).isEqualTo("technician");
        assertThat(admin.raw("GET", "/api/users", null, Map.of()).status()).as("demoted at once").isEqualTo(403);
    }

    @Test
    void badUpdatesAreRefusedAndChangeNothing() {
        UserView user = newUser("viewer");
        assertThat(admin.raw("PATCH", "/api/users/" + user.id(), "{}", Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("PATCH", "/api/users/" + user.id(), "{\"role\":\"root\"}", Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("PATCH", "/api/users/" + user.id(), "{\"disabled\":\"yes\"}", Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("PATCH", "/api/users/not-a-uuid", "{\"disabled\":true}", Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("PATCH", "/api/users/" + UUID.randomUUID(), "{\"disabled\":true}", Map.of()).status()).isEqualTo(404);
        assertThat(admin.users()).filteredOn(u -> u.id().equals(user.id())).singleElement()
                .satisfies(u -> assertThat(u.role()).isEqualTo("viewer"))
                .satisfies(u -> assertThat(u.disabled()).isFalse());
    }

    @Test
    void aTokenWithoutExpIsRefusedEvenWhenSignedWithTheRealKey() throws Exception {
        byte[] key = Base64.getDecoder().decode(Files.readString(server.server().config().jwtKeyPath()).strip());
        DecodedJWT real = JWT.decode(admin.token());
        String noExp = JWT.create().withIssuer("gururmm").withSubject(real.getSubject()).withJWTId(real.getId())
                .withIssuedAt(real.getIssuedAtAsInstant()).sign(Algorithm.HMAC256(key));
        String withExp = JWT.create().withIssuer("gururmm").withSubject(real.getSubject()).withJWTId(real.getId())
                .withIssuedAt(real.getIssuedAtAsInstant()).withExpiresAt(real.getExpiresAtAsInstant()).sign(Algorithm.HMAC256(key));

        assertRefused(new GuruClient(server.url(), noExp), 401);
        assertThat(new GuruClient(server.url(), withExp).me().email()).as("the control").isEqualTo(TestServer.ADMIN_EMAIL);
    }
}
