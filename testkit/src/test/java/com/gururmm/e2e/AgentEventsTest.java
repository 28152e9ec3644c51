package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.AgentEvents.AgentEventView;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.wire.AgentEvent;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.events.AgentEventReported;
import com.gururmm.server.events.EventBus;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An agent's {@code agent_events} frame over a real WebSocket: stored once per event key (sent
 * twice, and again after a reconnect), acknowledged, readable at {@code GET /api/agents/{id}/events},
 * and published once on the bus as {@link AgentEventReported}; hostile and oversize events are
 * refused with nothing stored. On H2 and PostgreSQL.
 */
class AgentEventsTest {
    private static final Instant WHEN = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);

    static AgentEvent bugcheck(String key) {
        return new AgentEvent("bugcheck", "critical", "Bugcheck 0x0000009f (DRIVER_POWER_STATE_FAILURE); dump saved to C:\\Windows\\MEMORY.DMP",
                key, WHEN, AgentEvent.details(Map.of("code", "0x0000009f", "dump_path", "C:\\Windows\\MEMORY.DMP",
                "parameters", "0x0000000000000003, 0xffffc30e4b4f2060, 0xfffff8074a66f750, 0xffffc30e53e5d8a0")));
    }

    private static ServerMessage.EventsAck ack(RawAgent raw) throws Exception {
        ServerMessage reply = raw.next();
        assertThat(reply).as("reply to agent_events").isInstanceOf(ServerMessage.EventsAck.class);
        return (ServerMessage.EventsAck) reply;
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aBugcheckIsStoredOncePublishedOnceAndReadable(TestDatabase.Kind kind) throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            List<AgentEventReported> published = Collections.synchronizedList(new ArrayList<>());
            EventBus.Subscription subscription = server.server().bus().subscribe(AgentEventReported.TOPIC, published::add);
            String machine = UUID.randomUUID().toString();
            EnrollResponse enrolled = RawAgent.enrollNew(server, machine);
            RawAgent raw = new RawAgent(server, enrolled, machine);
            raw.hello();
            String key = "windows-system:48213:" + WHEN.toEpochMilli();

            raw.send(new AgentMessage.AgentEvents(List.of(bugcheck(key))));
            assertThat(ack(raw).eventKeys()).containsExactly(key);
            // The acknowledgement was lost, say: the agent sends it again, and is acknowledged again.
            raw.send(new AgentMessage.AgentEvents(List.of(bugcheck(key))));
            assertThat(ack(raw).eventKeys()).containsExactly(key);
            raw.socket.abort();

            // Reconnected, it sends what it holds once more, beside a new one.
            RawAgent again = new RawAgent(server, enrolled, machine);
            again.hello();
            String second = "windows-system:48290:" + WHEN.plusSeconds(60).toEpochMilli();
            AgentEvent shutdown = new AgentEvent("unexpected_shutdown", "warning", "Unexpected shutdown (Kernel-Power 41)", second,
                    WHEN.plusSeconds(60), AgentEvent.details(Map.of()));
            again.send(new AgentMessage.AgentEvents(List.of(bugcheck(key), shutdown)));
            assertThat(ack(again).eventKeys()).containsExactly(key, second);

            GuruClient admin = server.adminClient();
            admin.createUser("events-viewer@example.test", "viewer-password-123", "viewer", new com.gururmm.protocol.api.Auth.ScopeView(admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), java.util.List.of()));
            GuruClient viewer = server.anonymousClient();
            viewer.login("events-viewer@example.test", "viewer-password-123");
            List<AgentEventView> events = viewer.agentEvents(enrolled.agentId(), null, null);
            assertThat(events).hasSize(2);
            AgentEventView stored = events.get(1); // newest first
            assertThat(stored.eventKey()).isEqualTo(key);
            assertThat(stored.kind()).isEqualTo("bugcheck");
            assertThat(stored.severity()).isEqualTo("critical");
            assertThat(stored.agentId()).isEqualTo(enrolled.agentId());
            assertThat(stored.occurredAt()).isEqualTo(WHEN);
            assertThat(stored.summary()).isEqualTo(bugcheck(key).summary());
            assertThat(stored.details()).containsEntry("code", "0x0000009f").containsEntry("dump_path", "C:\\Windows\\MEMORY.DMP");
            assertThat(viewer.agentEvents(enrolled.agentId(), "bugcheck", null)).extracting(AgentEventView::eventKey).containsExactly(key);
            assertThat(viewer.agentEvents(enrolled.agentId(), null, 1)).extracting(AgentEventView::eventKey).containsExactly(second);

            await().atMost(Duration.ofSeconds(10)).until(() -> published.size() >= 2);
            // Published before the ack was sent, delivered asynchronously: a third one would have arrived by now.
            Thread.sleep(300);
            assertThat(published).extracting(AgentEventReported::eventKey).containsExactly(key, second);
            AgentEventReported first = published.getFirst();
            assertThat(first.agentId()).isEqualTo(enrolled.agentId());
            assertThat(first.kind()).isEqualTo("bugcheck");
            assertThat(first.severity()).isEqualTo("critical");
            assertThat(first.occurredAt()).isEqualTo(WHEN);
            subscription.close();
            again.socket.abort();
        }
    }

    @Test
    void hostileAndOversizeEventsAreRefusedAndNothingIsStored() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            RawAgent raw = RawAgent.enroll(server);
            raw.hello();
            AgentEvent good = bugcheck("k-good");
            List<AgentEvent> refusedOnes = List.of(
                    new AgentEvent("Bug Check", "critical", "x", "k1", WHEN, AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "fatal", "x", "k2", WHEN, AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "critical", "x", "key with spaces", WHEN, AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "critical", "x", "k\u001b[31m", WHEN, AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "critical", "x".repeat(501), "k3", WHEN, AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "critical", "nul\0here", "k4", WHEN, AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "critical", "x", "k5", Instant.now().plus(365, ChronoUnit.DAYS), AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "critical", "x", "k6", null, AgentEvent.details(Map.of())),
                    new AgentEvent("bugcheck", "critical", "x", "k7", WHEN, AgentEvent.details(Map.of("Bad Key", "v"))),
                    new AgentEvent("bugcheck", "critical", "x", "k8", WHEN, AgentEvent.details(Map.of("v", "y".repeat(2001)))),
                    new AgentEvent("bugcheck", "critical", "x", "k".repeat(201), WHEN, AgentEvent.details(Map.of())));
            for (AgentEvent bad : refusedOnes) {
                // A good event beside the bad one: the frame is refused whole, so neither is stored.
                raw.send(new AgentMessage.AgentEvents(List.of(good, bad)));
                assertThat(raw.next()).as(String.valueOf(bad)).isInstanceOfSatisfying(ServerMessage.Refused.class,
                        r -> assertThat(r.error()).isEqualTo("invalid_message"));
            }
            raw.send(new AgentMessage.AgentEvents(IntStream.range(0, 51).mapToObj(i -> bugcheck("k-" + i)).toList()));
            assertThat(raw.next()).isInstanceOfSatisfying(ServerMessage.Refused.class, r -> assertThat(r.message()).contains("at most 50"));
            raw.send(new AgentMessage.AgentEvents(List.of()));
            assertThat(raw.next()).isInstanceOf(ServerMessage.Refused.class);
            GuruClient admin = server.adminClient();
            assertThat(admin.agentEvents(raw.agentId, null, null)).isEmpty();

            // Display text may carry anything else: terminal escapes and bidi overrides are neutralised, not stored raw.
            raw.send(new AgentMessage.AgentEvents(List.of(new AgentEvent("bugcheck", "critical", "evil\u001b]0;x\u0007 \u202egnp.exe",
                    "k-hostile", WHEN, AgentEvent.details(Map.of("dump_path", "C:\\a\r\nFAKE"))))));
            assertThat(ack(raw).eventKeys()).containsExactly("k-hostile");
            AgentEventView stored = admin.agentEvents(raw.agentId, null, null).getFirst();
            assertThat(stored.summary()).isEqualTo("evil\uFFFD]0;x\uFFFD \uFFFDgnp.exe");
            assertThat(stored.details().get("dump_path")).isEqualTo("C:\\a\uFFFD\uFFFDFAKE");

            assertThat(admin.raw("GET", "/api/agents/" + UUID.randomUUID() + "/events", null, Map.of()).status()).isEqualTo(404);
            assertThat(admin.raw("GET", "/api/agents/" + raw.agentId + "/events?limit=lots", null, Map.of()).status()).isEqualTo(400);
            assertThat(admin.raw("GET", "/api/agents/" + raw.agentId + "/events?limit=0", null, Map.of()).status()).isEqualTo(400);
            assertThat(admin.raw("GET", "/api/agents/" + raw.agentId + "/events?kind=Bad%20Kind", null, Map.of()).status()).isEqualTo(400);
            raw.socket.abort();
        }
    }
}
