package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.gururmm.protocol.api.Inventories.SoftwareChange;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.SystemInventory.Filesystem;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.db.Database;
import com.gururmm.server.inventory.InventoryStore;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The inventory store on the real migrations, H2 and PostgreSQL: replacement, change history, first-seen of pending updates. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class InventoryStoreTest {
    @Parameter
    TestDatabase.Kind kind;
    private TestDatabase testDb;
    private Database db;
    private InventoryStore store;
    private UUID agentId;
    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(kind);
        db = Database.open(testDb.jdbcUrl(), "", "");
        store = new InventoryStore(db.jdbi());
        agentId = UUID.randomUUID();
        // The row constructor without a site id files the agent in the default site (clients and sites, V35).
        new AgentStore(db.jdbi()).insert(new AgentRow(agentId, "m-" + agentId, "d", "hash", "h", "linux", null, "amd64", "0.1.0",
                "stable", "Default", null, null, null, t0, 1, null, false));
    }

    @AfterEach
    void close() {
        db.close();
        testDb.close();
    }

    private static SystemInventory report(Instant at, List<Software> software, List<String> pending) {
        return new SystemInventory(1, at, null, List.of(), List.of(), List.of(new Filesystem("/", "ext4", "/dev/sda1", 1000, 50),
                new Filesystem("/data", "xfs", "/dev/sdb1", 1000, 900)), software, List.of(),
                new Updates("apt", pending.size(), 0, pending, false, "/var/run/reboot-required"), List.of());
    }

    @Test
    void aReportOfFiveThousandPackagesReplacesThePreviousOneAndTheChangesAreRecorded() {
        List<Software> first = new ArrayList<>(IntStream.range(0, 5000).mapToObj(i -> new Software("pkg" + i, "1.0-" + i, "amd64", "dpkg")).toList());
        first.add(new Software("openssl", "3.0.11-1~deb12u2", "amd64", "dpkg"));
        first.add(new Software("gone", "1", "all", "dpkg"));
        assertThat(store.replace(agentId, report(t0, first, List.of()), t0)).as("the first report is the baseline").isZero();
        assertThat(store.software(agentId)).hasSize(5002);

        List<Software> second = new ArrayList<>(first.subList(0, 5000));
        second.add(new Software("openssl", "3.0.13-1~deb12u1", "amd64", "dpkg"));
        second.add(new Software("new-tool", "2.0", "amd64", "dpkg"));
        Instant t1 = t0.plusSeconds(60);
        assertThat(store.replace(agentId, report(t1, second, List.of()), t1)).isEqualTo(3);
        assertThat(store.software(agentId)).hasSize(5002).extracting(Software::name).contains("new-tool").doesNotContain("gone");
        assertThat(store.changes(agentId, 10)).extracting(SoftwareChange::event, SoftwareChange::name, SoftwareChange::oldVersion,
                SoftwareChange::newVersion).containsExactlyInAnyOrder(
                tuple("upgraded", "openssl", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1"),
                tuple("installed", "new-tool", null, "2.0"),
                tuple("removed", "gone", "1", null));
        assertThat(store.find(agentId).orElseThrow().collectedAt()).isEqualTo(t1);
        assertThat(store.filesystemsFreeBelow(10, 100, com.gururmm.server.auth.Scope.ALL)).extracting(r -> r.filesystem().mount()).containsExactly("/");
        // Scoped to another site (or to none), the same searches find nothing.
        com.gururmm.server.auth.Scope otherSite = new com.gururmm.server.auth.Scope(false, java.util.Set.of(UUID.randomUUID()), java.util.Set.of());
        assertThat(store.filesystemsFreeBelow(10, 100, otherSite)).isEmpty();
        assertThat(store.softwareNamed("openssl", 10, otherSite)).isEmpty();
        assertThat(store.facts(null, otherSite)).isEmpty();
        assertThat(store.facts(List.of(agentId), com.gururmm.server.auth.Scope.NONE)).isEmpty();
        assertThat(store.softwareNamed("openssl", 10, com.gururmm.server.auth.Scope.ALL)).singleElement().satisfies(r -> assertThat(r.software().version()).isEqualTo("3.0.13-1~deb12u1"));
    }

    @Test
    void aPendingUpdateKeepsTheTimeItWasFirstSeenUntilItIsInstalled() {
        List<Software> sw = List.of(new Software("bash", "5.2", "amd64", "dpkg"));
        store.replace(agentId, report(t0, sw, List.of("openssl")), t0);
        Instant t1 = t0.plus(Duration.ofDays(3));
        store.replace(agentId, report(t1, sw, List.of("openssl", "curl")), t1);
        assertThat(store.find(agentId).orElseThrow().oldestPendingSince()).isEqualTo(t0);
        assertThat(store.find(agentId).orElseThrow().pendingUpdates()).isEqualTo(2);

        Instant t2 = t1.plus(Duration.ofDays(1));
        store.replace(agentId, report(t2, sw, List.of("curl")), t2);
        assertThat(store.find(agentId).orElseThrow().oldestPendingSince()).as("openssl installed: curl is the oldest now").isEqualTo(t1);

        Instant t3 = t2.plusSeconds(10);
        store.replace(agentId, report(t3, sw, List.of()), t3);
        assertThat(store.find(agentId).orElseThrow().oldestPendingSince()).isNull();
        // An agent stored without a site id is in the Default site (the agents.site string is that site's name).
        com.gururmm.server.auth.Scope defaultSite = new com.gururmm.server.auth.Scope(false,
                java.util.Set.of(com.gururmm.server.tenancy.TenancyStore.DEFAULT_SITE), java.util.Set.of());
        assertThat(store.facts(null, defaultSite)).singleElement().satisfies(f -> {
            assertThat(f.site()).isEqualTo("Default");
            assertThat(f.pendingUpdates()).isZero();
        });
    }
}
