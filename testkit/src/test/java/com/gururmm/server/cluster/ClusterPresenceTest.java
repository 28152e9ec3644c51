package com.gururmm.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.agent.AgentLink;
import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.db.Database;
import com.gururmm.server.events.AgentPresence;
import com.gururmm.server.events.InProcessEventBus;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cluster presence on the real migrations, H2 and PostgreSQL: two nodes (registries) on one
 * database and one bus. A node that lost an agent to another cannot mark it offline; a dead
 * node's agents are swept offline; a node swept while alive claims its agents back.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(120)
class ClusterPresenceTest {
    private static final Duration LEASE = Duration.ofSeconds(2);

    @Parameter
    TestDatabase.Kind kind;
    private TestDatabase testDb;
    private Database db;
    private InProcessEventBus bus;
    private final List<AgentPresence> events = new CopyOnWriteArrayList<>();
    private UUID agentId;

    private record Link(UUID agentId) implements AgentLink {
        @Override
        public boolean send(ServerMessage message) {
            return true;
        }

        @Override
        public void close(String reason) {
        }
    }

    private record Node(ConnectionRegistry registry, ClusterPresence presence) {
    }

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(kind);
        db = Database.open(testDb.jdbcUrl(), "", "");
        bus = new InProcessEventBus();
        bus.subscribe(AgentPresence.TOPIC, events::add);
        agentId = UUID.randomUUID();
        new AgentStore(db.jdbi()).insert(new AgentRow(agentId, "m-" + agentId, "d", "hash", "h", "linux", null, "amd64", "0.1.0",
                "stable", null, null, null, null, Instant.now(), 1, null, false));
    }

    @AfterEach
    void close() {
        bus.close();
        db.close();
        testDb.close();
    }

    /** A node that heartbeats only when the test says so (a dead node simply stops). */
    private Node node(String name) {
        ConnectionRegistry registry = new ConnectionRegistry(null, bus);
        ClusterPresence presence = new ClusterPresence(db.jdbi(), name, LEASE, bus, registry, new ClusterLeases(db.jdbi(), name, LEASE), true);
        registry.presence(presence, null);
        presence.heartbeat();
        return new Node(registry, presence);
    }

    private String connectedNode() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT connected_node FROM agents WHERE id = :id").bind("id", agentId)
                .mapTo(String.class).findOne().orElse(null));
    }

    private List<Boolean> presence() {
        Awaitility.await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> true);
        return events.stream().filter(e -> e.agentId().equals(agentId)).map(AgentPresence::online).toList();
    }

    @Test
    void theLateCloseOfTheNodeThatLostTheAgentNeitherClearsItNorPublishesOffline() {
        Node a = node("a");
        Node b = node("b");
        Link onA = new Link(agentId);
        a.registry().register(onA, Instant.now());
        assertThat(connectedNode()).isEqualTo("a");
        // The agent reconnects through the balancer to b before a notices its connection is dead.
        b.registry().register(new Link(agentId), Instant.now());
        assertThat(connectedNode()).isEqualTo("b");
        a.registry().unregister(onA, Instant.now());
        assertThat(connectedNode()).as("a's late close").isEqualTo("b");
        // online on a; on b the end of a's connection, then b's: never a trailing offline.
        assertThat(presence()).containsExactly(true, false, true);
    }

    @Test
    void aDeadNodesAgentsAreSweptOfflineAndANodeSweptWhileAliveClaimsThemBack() throws Exception {
        Node a = node("a");
        Node b = node("b");
        a.registry().register(new Link(agentId), Instant.now());
        assertThat(b.presence().sweepDeadNodes()).as("a's heartbeat is fresh").isZero();
        // a stops heartbeating; b keeps going. After the lease time on the database clock a is dead.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int swept = 0;
        while (swept == 0 && System.nanoTime() < deadline) {
            Thread.sleep(300);
            b.presence().heartbeat();
            swept = b.presence().sweepDeadNodes();
        }
        assertThat(swept).isEqualTo(1);
        assertThat(connectedNode()).isNull();
        assertThat(b.presence().nodes()).extracting(ClusterPresence.NodeRow::name).containsExactly("b");
        assertThat(presence()).containsExactly(true, false);
        // a was only paused: at its next heartbeat it is back, and so is its still-connected agent.
        a.presence().heartbeat();
        assertThat(connectedNode()).isEqualTo("a");
        assertThat(presence()).containsExactly(true, false, true);
        assertThat(b.presence().nodes()).extracting(ClusterPresence.NodeRow::name).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void anAgentThatReconnectedElsewhereIsNotSweptWithItsOldNode() throws Exception {
        Node a = node("a");
        Node b = node("b");
        a.registry().register(new Link(agentId), Instant.now());
        b.registry().register(new Link(agentId), Instant.now());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (b.presence().nodes().size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(300);
            b.presence().heartbeat();
            assertThat(b.presence().sweepDeadNodes()).isZero();
        }
        assertThat(b.presence().nodes()).extracting(ClusterPresence.NodeRow::name).containsExactly("b");
        assertThat(connectedNode()).isEqualTo("b");
        assertThat(b.presence().isOnlineAnywhere(agentId)).isTrue();
    }
}
