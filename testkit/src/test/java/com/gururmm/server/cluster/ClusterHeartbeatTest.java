package com.gururmm.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.db.Database;
import com.gururmm.server.events.InProcessEventBus;
import com.gururmm.testkit.TestDatabase;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose main pool is saturated (a reconnect storm holds every connection) keeps its
 * heartbeat fresh, because heartbeats run on their own thread and their own pool. Before, the
 * heartbeat queued behind the storm on the main pool, the other nodes took the living node for
 * dead and swept its agents offline (found by the 51,000-agent cluster bench: 11,000 agents shown
 * offline while connected).
 */
@Timeout(60)
class ClusterHeartbeatTest {
    private static final Duration LEASE = Duration.ofSeconds(3);

    private TestDatabase testDb;
    private Database db;
    private HikariDataSource tinyPool;
    private InProcessEventBus bus;

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(TestDatabase.Kind.POSTGRES);
        db = Database.open(testDb.jdbcUrl(), "", "");
        HikariConfig one = new HikariConfig();
        one.setJdbcUrl(testDb.jdbcUrl());
        one.setMaximumPoolSize(1);
        one.setConnectionTimeout(LEASE.toMillis() * 2);
        tinyPool = new HikariDataSource(one);
        bus = new InProcessEventBus();
    }

    @AfterEach
    void close() {
        bus.close();
        tinyPool.close();
        db.close();
        testDb.close();
    }

    private Instant heartbeatOf(String node) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT heartbeat_at FROM nodes WHERE name = :n").bind("n", node)
                .mapTo(Instant.class).findOne().orElseThrow());
    }

    private Instant databaseNow() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one());
    }

    @Test
    void aSaturatedMainPoolDoesNotStopTheHeartbeat() throws Exception {
        Jdbi busyMain = Jdbi.create(tinyPool);
        ConnectionRegistry registry = new ConnectionRegistry(null, bus);
        ClusterPresence presence = new ClusterPresence(busyMain, db.livenessJdbi(), "busy", LEASE, bus, registry,
                new ClusterLeases(db.livenessJdbi(), "busy", LEASE), true);
        presence.start();
        try (Connection held = tinyPool.getConnection()) {
            // Every connection of the node's main pool is taken for three lease times.
            long until = System.nanoTime() + LEASE.multipliedBy(3).toNanos();
            while (System.nanoTime() < until) {
                Thread.sleep(250);
                Duration age = Duration.between(heartbeatOf("busy"), databaseNow());
                assertThat(age).as("heartbeat age while the main pool is saturated").isLessThan(LEASE);
            }
            assertThat(held.isValid(1)).isTrue();
        } finally {
            presence.close();
        }
    }

    @Test
    void theOtherNodesDoNotSweepANodeWhoseMainPoolIsSaturated() throws Exception {
        Jdbi busyMain = Jdbi.create(tinyPool);
        ClusterPresence busy = new ClusterPresence(busyMain, db.livenessJdbi(), "busy", LEASE, bus, new ConnectionRegistry(null, bus),
                new ClusterLeases(db.livenessJdbi(), "busy", LEASE), true);
        ClusterPresence sweeper = new ClusterPresence(db.jdbi(), "sweeper", LEASE, bus, new ConnectionRegistry(null, bus),
                new ClusterLeases(db.jdbi(), "sweeper", LEASE), true);
        busy.start();
        sweeper.heartbeat();
        try (Connection held = tinyPool.getConnection()) {
            Thread.sleep(LEASE.multipliedBy(2).toMillis());
            sweeper.sweepDeadNodes();
            assertThat(sweeper.nodes()).extracting(ClusterPresence.NodeRow::name).contains("busy");
            assertThat(sweeper.nodes()).filteredOn(n -> n.name().equals("busy")).extracting(ClusterPresence.NodeRow::alive)
                    .containsExactly(true);
        } finally {
            busy.close();
            sweeper.close();
        }
    }
}
