package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.EventStream;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push to operators: {@code GET /api/commands/{id}?wait=} answers when the command finishes, and
 * {@code GET /api/events} streams presence and command status, resumable with Last-Event-ID —
 * with a real agent process over a real WebSocket.
 */
class PushToOperatorsTest {
    private static Fleet fleet;
    private static UUID agent;

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        agent = fleet.onlineAgentId();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static CommandRequest sh(String script) {
        return new CommandRequest("sh", script, null, 30);
    }

    @Test
    void aWaitingReadAnswersAsSoonAsTheCommandFinishes() {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(agent, sh("sleep 2; echo waited")).commandId();
        long start = System.nanoTime();
        CommandView view = admin.command(id, 60);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.stdout()).isEqualTo("waited\n");
        // It waited for the command (about 2 s), and did not sit out the 60 s it was allowed.
        assertThat(millis).isBetween(1_000L, 30_000L);
    }

    @Test
    void aWaitForAQueuedCommandEndsAtTheDeadlineWithTheCurrentState() {
        GuruClient admin = fleet.admin();
        UUID away = admin.enroll(new EnrollRequest(fleet.server().enrollmentToken(), "dev-away-" + UUID.randomUUID(),
                "machine-away-" + UUID.randomUUID(), "away", "linux", "amd64", "1.0.0", "stable")).agentId();
        UUID id = admin.runCommand(away, sh("true")).commandId();
        long start = System.nanoTime();
        CommandView view = admin.command(id, 2);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(view.status()).isEqualTo("queued");
        assertThat(millis).isGreaterThanOrEqualTo(1_900L).isLessThan(20_000L);
    }

    @Test
    void badWaitValuesAreRefused() {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(agent, sh("true")).commandId();
        for (String bad : List.of("-1", "301", "soon", "1.5")) {
            GuruClient.RawResponse response = admin.raw("GET", "/api/commands/" + id + "?wait=" + bad, null, Map.of());
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.body()).contains("'wait'");
        }
    }

    @Test
    void theEventStreamCarriesCommandStatusInOrderAndResumesFromLastEventId() throws Exception {
        GuruClient admin = fleet.admin();
        String lastId;
        UUID first;
        try (EventStream events = admin.events("command.status", agent, null)) {
            first = admin.runCommand(agent, sh("echo one")).commandId();
            List<String> statuses = statusesOf(events, first, "completed");
            assertThat(statuses).containsSubsequence("running", "completed");
            lastId = events.lastEventId();
        }
        assertThat(lastId).isNotBlank();

        // Disconnected: two commands run meanwhile; resuming delivers their events and nothing older.
        UUID second = admin.runCommand(agent, sh("echo two")).commandId();
        UUID third = admin.runCommand(agent, sh("echo three")).commandId();
        admin.awaitCommand(second, Duration.ofSeconds(30));
        admin.awaitCommand(third, Duration.ofSeconds(30));
        try (EventStream resumed = admin.events("command.status", agent, lastId)) {
            List<UUID> seen = new ArrayList<>();
            List<String> thirdStatuses = new ArrayList<>();
            EventStream.Event event;
            while ((event = resumed.next(Duration.ofSeconds(3))) != null) {
                UUID command = UUID.fromString(event.data().get("command_id").asText());
                seen.add(command);
                if (command.equals(third)) {
                    thirdStatuses.add(event.data().get("status").asText());
                }
            }
            assertThat(seen).doesNotContain(first).contains(second, third);
            assertThat(thirdStatuses).containsSubsequence("running", "completed");
        }
    }

    @Test
    void anUnknownOrStaleLastEventIdGetsAResetEvent() throws Exception {
        try (EventStream events = fleet.admin().events(null, null, "previous-process-42")) {
            EventStream.Event event = events.next(Duration.ofSeconds(10));
            assertThat(event).isNotNull();
            assertThat(event.type()).isEqualTo("reset");
        }
    }

    @Test
    void presenceEventsFollowARealAgentComingAndGoing() throws Exception {
        GuruClient admin = fleet.admin();
        try (EventStream events = admin.events("agent.presence", null, null)) {
            AgentProcess extra = fleet.addAgent();
            UUID id = extra.agentId();
            assertThat(nextPresence(events, id)).isTrue();
            extra.kill();
            assertThat(nextPresence(events, id)).isFalse();
        }
    }

    @Test
    void badFiltersAreRefusedWithTheFieldNamed() {
        GuruClient admin = fleet.admin();
        assertThatThrownBy(() -> admin.events("command.status,bogus", null, null)).isInstanceOf(GuruApiException.class)
                .hasMessageContaining("bogus").hasMessageContaining("'types'");
        assertThatCode(() -> admin.events(null, null, null).close()).doesNotThrowAnyException();
        GuruClient.RawResponse response = admin.raw("GET", "/api/events?agent_id=not-a-uuid", null, Map.of());
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("'agent_id'");
    }

    @Test
    void anOpenStreamEndsWithinSecondsWhenItsSessionIsRevoked() throws Exception {
        GuruClient session = fleet.server().anonymousClient();
        session.login(com.gururmm.testkit.TestServer.ADMIN_EMAIL, com.gururmm.testkit.TestServer.ADMIN_PASSWORD);
        try (EventStream events = session.events(null, null, null)) {
            session.raw("POST", "/api/auth/logout", null, Map.of());
            EventStream.Event event;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            do {
                event = events.next(Duration.ofSeconds(1));
            } while ((event == null || !event.type().equals("unauthorized")) && System.nanoTime() < deadline && !events.ended());
            assertThat(event).as("an unauthorized event before the stream ends").isNotNull();
            assertThat(event.type()).isEqualTo("unauthorized");
            assertThat(events.next(Duration.ofSeconds(5))).as("nothing after it").isNull();
            assertThat(events.ended()).isTrue();
        }
    }

    @Test
    void theReadinessProbeReportsDatabaseAndBus() {
        GuruClient.RawResponse response = fleet.server().anonymousClient().raw("GET", "/readyz", null, Map.of());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"database\":true").contains("\"bus\":true");
    }

    private static List<String> statusesOf(EventStream events, UUID command, String until) throws InterruptedException {
        List<String> statuses = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            EventStream.Event event = events.next(Duration.ofSeconds(1));
            if (event == null || !event.data().has("command_id")) {
                continue;
            }
            if (event.data().get("command_id").asText().equals(command.toString())) {
                statuses.add(event.data().get("status").asText());
                if (statuses.getLast().equals(until)) {
                    return statuses;
                }
            }
        }
        throw new AssertionError("no '" + until + "' event for " + command + "; saw " + statuses);
    }

    private static boolean nextPresence(EventStream events, UUID agentId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            EventStream.Event event = events.next(Duration.ofSeconds(1));
            if (event != null && event.data().path("agent_id").asText().equals(agentId.toString())) {
                return event.data().get("online").asBoolean();
            }
        }
        throw new AssertionError("no presence event for " + agentId);
    }
}
