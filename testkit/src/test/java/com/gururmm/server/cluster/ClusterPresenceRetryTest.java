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
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A presence write that fails at connect time (here: a PostgreSQL trigger refuses it, as an
 * exhausted pool or a database restart would) is retried in the background, so the agent
 * becomes visible to the other nodes once the database takes writes again, without a reconnect;
 * a retry never takes the agent back from a newer connection on another live node.
 */
@Timeout(120)
class ClusterPresenceRetryTest {
    private static final Duration LEASE = Duration.ofSeconds(5);

    private TestDatabase testDb;
    private Database db;
    private InProcessEventBus bus;
    private final List<AgentPresence> events = new CopyOnWriteArrayList<>();
    private UUID agentId;

    /** A connection whose close the test can see. */
    private static final class Link implements AgentLink {
        private final UUID agentId;
        final AtomicReference<String> closedWith = new AtomicReference<>();

        Link(UUID agentId) {
            this.agentId = agentId;
        }

        @Override
        public UUID agentId() {
            return agentId;
        }

        @Override
        public boolean send(ServerMessage message) {
            return true;
        }

        @Override
        public void close(String reason) {
            closedWith.set(reason);
        }
    }

    private record Node(ConnectionRegistry registry, ClusterPresence presence) {
    }

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(TestDatabase.Kind.POSTGRES);
        db = Database.open(testDb.jdbcUrl(), "", "");
        bus = new InProcessEventBus();
        bus.subscribe(AgentPresence.TOPIC, events::add);
        agentId = UUID.randomUUID();
        new AgentStore(db.jdbi()).insert(new AgentRow(agentId, "m-" + agentId, "d", "hash", "h", "linux", null, "amd64", "0.1.0",
                "stable", null, null, null, null, Instant.now(), 1, null, false));
        // The fault: while a node's name is in presence_block, recording an agent on that node fails.
        db.jdbi().useHandle(h -> {
            h.execute("CREATE TABLE presence_block (node VARCHAR(200) PRIMARY KEY)");
            h.execute("""
                    CREATE FUNCTION refuse_presence() RETURNS trigger AS $$
                    BEGIN
                      IF NEW.connected_node IS NOT NULL AND EXISTS (SELECT 1 FROM presence_block WHERE node = NEW.connected_node) THEN
                        RAISE EXCEPTION 'presence write refused by the test for node %', NEW.connected_node;
                      END IF;
                      RETURN NEW;
                    END $$ LANGUAGE plpgsql""");
            h.execute("CREATE TRIGGER refuse_presence BEFORE UPDATE ON agents FOR EACH ROW EXECUTE FUNCTION refuse_presence()");
        });
    }

    @AfterEach
    void close() {
        bus.close();
        db.close();
        testDb.close();
    }

    private Node node(String name) {
        ConnectionRegistry registry = new ConnectionRegistry(null, bus);
        ClusterPresence presence = new ClusterPresence(db.jdbi(), name, LEASE, bus, registry, new ClusterLeases(db.jdbi(), name, LEASE), true);
        registry.presence(presence, null);
        presence.heartbeat();
        return new Node(registry, presence);
    }

    private void block(String node) {
        db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO presence_block (node) VALUES (:n)").bind("n", node).execute());
    }

    private void unblock(String node) {
        db.jdbi().useHandle(h -> h.createUpdate("DELETE FROM presence_block WHERE node = :n").bind("n", node).execute());
    }

    private String connectedNode() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT connected_node FROM agents WHERE id = :id").bind("id", agentId)
                .mapTo(String.class).findOne().orElse(null));
    }

    private long agentsOn(Node viewer, String node) {
        return viewer.presence().nodes().stream().filter(n -> n.name().equals(node)).mapToLong(ClusterPresence.NodeRow::agents).sum();
    }

    @Test
    void aFailedPresenceWriteIsRetriedAndTheAgentBecomesVisibleOnTheOtherNode() throws Exception {
        Node a = node("a");
        Node b = node("b");
        try {
            block("a");
            Link link = new Link(agentId);
            a.registry().register(link, Instant.now());
            assertThat(connectedNode()).as("the write failed").isNull();
            Thread.sleep(1500); // a few retries fail while the fault lasts
            assertThat(connectedNode()).isNull();
            assertThat(agentsOn(b, "a")).isZero();

            unblock("a");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "a".equals(connectedNode()));
            assertThat(agentsOn(b, "a")).as("b sees the agent on a").isEqualTo(1);
            assertThat(link.closedWith.get()).as("no reconnect was needed").isNull();
            // The retry's epoch is the connection's now: its close clears the row (an epoch-less close would too, but
            // a node-b reconnect in between must survive it; see the other test).
            assertThat(a.registry().localEpochs()).containsKey(agentId);
            a.registry().unregister(link, Instant.now());
            assertThat(connectedNode()).isNull();
        } finally {
            a.presence().close();
            b.presence().close();
        }
    }

    @Test
    void aStaleRetryNeverTakesTheAgentFromItsNewerConnectionOnAnotherLiveNode() throws Exception {
        Node a = node("a");
        Node b = node("b");
        try {
            block("a");
            Link onA = new Link(agentId);
            a.registry().register(onA, Instant.now());
            // The agent gave up on a and reconnected to b, before a noticed its connection is dead.
            b.registry().register(new Link(agentId), Instant.now());
            assertThat(connectedNode()).isEqualTo("b");
            unblock("a");
            // a keeps its retries going (its link is still current there) but b is alive and holds the row.
            for (int i = 0; i < 6; i++) {
                Thread.sleep(500);
                b.presence().heartbeat();
                assertThat(connectedNode()).as("after %d ms", (i + 1) * 500).isEqualTo("b");
            }
            a.registry().unregister(onA, Instant.now());
            assertThat(connectedNode()).as("a's late close").isEqualTo("b");
            assertThat(b.presence().isOnlineAnywhere(agentId)).isTrue();
        } finally {
            a.presence().close();
            b.presence().close();
        }
    }
}
