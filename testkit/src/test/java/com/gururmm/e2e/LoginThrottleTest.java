package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, finding 6, against a real server: a guesser locks only itself out, its own successful
 * logins do not reset its failures, and X-Forwarded-For counts only from a trusted proxy. The
 * counters live in memory, so one database kind is enough. Client addresses are simulated with
 * X-Forwarded-For through a "proxy" on 127.0.0.1.
 */
class LoginThrottleTest {
    private static final String VICTIM = "victim@example.test";
    private static final String VICTIM_PASSWORD = "the victim's long password";
    private static final String ATTACKER = "attacker@example.test";
    private static final String ATTACKER_PASSWORD = "the attacker's own password";

    private static int login(GuruClient client, String email, String password, String from) {
        return client.raw("POST", "/api/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}",
                from == null ? Map.of() : Map.of("X-Forwarded-For", from)).status();
    }

    private static TestServer serverWithUsers(Map<String, String> env) {
        TestServer server = TestServer.start(TestDatabase.Kind.H2, env);
        GuruClient admin = server.adminClient();
        admin.createUser(VICTIM, VICTIM_PASSWORD, "viewer");
        admin.createUser(ATTACKER, ATTACKER_PASSWORD, "viewer");
        return server;
    }

    @Test
    void guessingFromOneAddressLocksThatAddressWhileTheVictimLogsInFromAnother() {
        try (TestServer server = serverWithUsers(Map.of("GURURMM_TRUSTED_PROXIES", "127.0.0.1"))) {
            GuruClient anonymous = server.anonymousClient();
            int guesses = 0;
            while (login(anonymous, VICTIM, "guess-" + guesses, "203.0.113.5") == 401) {
                guesses++;
                assertThat(guesses).as("the guesser is stopped").isLessThan(50);
            }
            assertThat(login(anonymous, VICTIM, "guess", "203.0.113.5")).isEqualTo(429);
            assertThat(login(anonymous, VICTIM, VICTIM_PASSWORD, "203.0.113.5")).as("even the right password, from the guessing address")
                    .isEqualTo(429);

            assertThat(login(anonymous, VICTIM, VICTIM_PASSWORD, "198.51.100.7")).as("the victim from elsewhere").isEqualTo(200);
            assertThat(server.adminClient().audit()).extracting(AuditEntry::action).contains("auth.login_throttled");
            assertThat(server.adminClient().audit()).filteredOn(e -> e.action().equals("auth.login"))
                    .anySatisfy(e -> assertThat(e.detail()).contains("198.51.100.7"));
        }
    }

    @Test
    void theGuessersOwnSuccessfulLoginsDoNotResetItsFailures() {
        try (TestServer server = serverWithUsers(Map.of("GURURMM_TRUSTED_PROXIES", "127.0.0.1"))) {
            GuruClient anonymous = server.anonymousClient();
            int refusedAt = -1;
            for (int i = 0; i < 40 && refusedAt < 0; i++) {
                assertThat(login(anonymous, ATTACKER, ATTACKER_PASSWORD, "203.0.113.9")).as("own login %d", i).isIn(200, 429);
                int status = login(anonymous, "someone-" + UUID.randomUUID() + "@example.test", "guess", "203.0.113.9");
                if (status == 429) {
                    refusedAt = i;
                }
            }
            assertThat(refusedAt).as("guesses spread over accounts, with own logins in between, are still stopped").isBetween(1, 20);
        }
    }

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() {
        try (TestServer server = serverWithUsers(Map.of())) {
            GuruClient anonymous = server.anonymousClient();
            int guesses = 0;
            // A fresh "address" per guess would reset every per-source counter if the header were believed.
            while (login(anonymous, VICTIM, "guess", "192.0.2." + guesses) == 401) {
                guesses++;
                assertThat(guesses).as("the guesser is stopped").isLessThan(50);
            }
            assertThat(guesses).isLessThan(20);
        }
    }
}
