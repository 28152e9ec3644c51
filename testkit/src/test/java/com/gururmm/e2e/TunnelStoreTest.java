package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.server.db.Database;
import com.gururmm.server.tunnel.TunnelStore;
import com.gururmm.testkit.TestDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The tunnel sessions' audit trail on the real migrations, H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class TunnelStoreTest {
    @Parameter
    TestDatabase.Kind kind;
    private TestDatabase testDb;
    private Database db;
    private TunnelStore store;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final UUID agent = UUID.randomUUID();
    private final UUID alice = UUID.randomUUID();
    private final UUID bob = UUID.randomUUID();

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(kind);
        db = Database.open(testDb.jdbcUrl(), "", "");
        store = new TunnelStore(db.jdbi());
    }

    @AfterEach
    void close() {
        db.close();
        testDb.close();
    }

    private UUID insert(UUID user, Instant at, String recording) {
        return insert(user, at, recording, "node-1");
    }

    private UUID insert(UUID user, Instant at, String recording, String node) {
        UUID id = UUID.randomUUID();
        store.insert(new TunnelStore.Row(id, agent, user, user.equals(alice) ? "alice" : "bob", "system", 80, 24, "starting", at,
                null, null, null, 0, 0, recording, null, node));
        return id;
    }

    @Test
    void aSessionIsRecordedFromStartToEnd() {
        UUID id = insert(alice, now, null);
        store.opened(id, "/dev/pts/4");
        store.ended(id, "ended", now.plusSeconds(90), 3, "the shell exited with status 3", 1234, 56, 132, 43, "x.cast");
        TunnelStore.Row row = store.find(id).orElseThrow();
        assertThat(row.state()).isEqualTo("ended");
        assertThat(row.tty()).isEqualTo("/dev/pts/4");
        assertThat(row.exitCode()).isEqualTo(3);
        assertThat(row.endedAt()).isEqualTo(now.plusSeconds(90));
        assertThat(row.createdAt()).isEqualTo(now);
        assertThat(row.bytesOut()).isEqualTo(1234);
        assertThat(row.bytesIn()).isEqualTo(56);
        assertThat(row.cols()).isEqualTo(132);
        assertThat(row.rows()).isEqualTo(43);
        assertThat(row.recordingFile()).isEqualTo("x.cast");
    }

    @Test
    void listsAreNewestFirstAndPerUserOrAgent() {
        UUID older = insert(alice, now.minusSeconds(60), null);
        UUID newer = insert(alice, now, null);
        UUID bobs = insert(bob, now.minusSeconds(30), null);
        assertThat(store.list(alice, null, 100)).extracting(TunnelStore.Row::id).containsExactly(newer, older);
        assertThat(store.list(null, null, 100)).extracting(TunnelStore.Row::id).containsExactly(newer, bobs, older);
        assertThat(store.list(null, agent, 2)).hasSize(2);
        assertThat(store.list(null, UUID.randomUUID(), 100)).isEmpty();
    }

    @Test
    void sessionsLeftOpenByACrashAreEndedAndOldRecordingsFound() {
        UUID open = insert(alice, now, null);
        UUID done = insert(bob, now.minusSeconds(7200), "old.cast");
        store.ended(done, "ended", now.minusSeconds(3600), 0, "exit", 1, 1, 80, 24, "old.cast");
        assertThat(store.endAbandoned("node-1", now)).isEqualTo(1);
        assertThat(store.find(open).orElseThrow().endReason()).isEqualTo("the server restarted");
        assertThat(store.recordingsEndedBefore(now.minusSeconds(60))).extracting(TunnelStore.Row::id).containsExactly(done);
        store.forgetRecording(done);
        assertThat(store.recordingsEndedBefore(now.minusSeconds(60))).isEmpty();
        assertThat(store.find(done).orElseThrow().recordingFile()).isNull();
    }

    @Test
    void aNodeEndsOnlyItsOwnSessionsAndTheSessionsOfANodeThatLeftAreEndedUntilItIsBack() {
        UUID mine = insert(alice, now, null, "node-1");
        UUID theirs = insert(alice, now, null, "node-2");
        UUID gone = insert(bob, now, null, "node-3");
        UUID theirOld = insert(bob, now.minusSeconds(7200), "theirs.cast", "node-2");
        store.ended(theirOld, "ended", now.minusSeconds(3600), 0, "exit", 1, 1, 80, 24, "theirs.cast");
        // node-1 restarts: the live session of node-2 stays open, node-2's recording stays node-2's to prune.
        assertThat(store.endAbandoned("node-1", now)).isEqualTo(1);
        assertThat(store.find(mine).orElseThrow().state()).isEqualTo("ended");
        assertThat(store.find(theirs).orElseThrow().endedAt()).isNull();
        assertThat(store.recordingsEndedBefore(now)).extracting(TunnelStore.Row::id).containsExactly(theirOld);
        assertThat(store.find(theirOld).orElseThrow().node()).isEqualTo("node-2");
        // node-2 is in the cluster, node-3 left it: only node-3's session is ended.
        db.jdbi().useHandle(h -> h.execute("INSERT INTO nodes (name, started_at, heartbeat_at) VALUES ('node-2', ?, ?)", now, now));
        assertThat(store.endOrphaned(now)).isEqualTo(1);
        assertThat(store.find(gone).orElseThrow().endReason()).contains("node holding the session stopped");
        assertThat(store.find(theirs).orElseThrow().endedAt()).isNull();
        // node-3 was only paused: it reopens the sessions it still holds, and no one else's.
        assertThat(store.reopenOrphaned("node-3", java.util.List.of(gone, mine, theirs))).isEqualTo(1);
        assertThat(store.find(gone).orElseThrow().state()).isEqualTo("open");
        assertThat(store.find(gone).orElseThrow().endedAt()).isNull();
        assertThat(store.find(mine).orElseThrow().state()).isEqualTo("ended");
    }
}
