package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.command.CommandRow;
import com.gururmm.server.command.CommandStore;
import com.gururmm.server.db.Database;
import com.gururmm.testkit.TestDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The conditional updates that make results idempotent, on the real migrations, H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class CommandStoreTest {
    @Parameter
    TestDatabase.Kind kind;
    private TestDatabase testDb;
    private Database db;
    private CommandStore commands;
    private UUID agentId;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(kind);
        db = Database.open(testDb.jdbcUrl(), "", "");
        commands = new CommandStore(db.jdbi());
        agentId = UUID.randomUUID();
        new AgentStore(db.jdbi()).insert(new AgentRow(agentId, "m-" + agentId, "d", "hash", "h", "linux", null, "amd64", "0.1.0",
                "stable", null, null, null, null, now, 1, null, false));
        new AgentStore(db.jdbi()).updateLastSeen(Map.of(agentId, now));
    }

    @AfterEach
    void close() {
        db.close();
        testDb.close();
    }

    private UUID queued() {
        UUID id = UUID.randomUUID();
        commands.insert(new CommandRow(id, agentId, "bash", "echo", "system", 30, "queued", null, null, null, false, false, null,
                false, "test", now, now.plusSeconds(60), null, null, null, null, null, null, null, null, null));
        return id;
    }

    private CommandResult result(UUID id, String stdout) {
        return new CommandResult(id, "completed", 0, stdout, "", false, false, null, now, now.plusSeconds(1));
    }

    @Test
    void aResultIsStoredOnceAndRedeliveriesChangeNothing() {
        UUID id = queued();
        assertThat(commands.markDispatched(id, now, now.plusSeconds(90))).isTrue();
        assertThat(commands.markDispatched(id, now, now.plusSeconds(90))).isFalse();
        assertThat(commands.storeResult(agentId, result(id, "first"), "completed", now)).isTrue();
        assertThat(commands.storeResult(agentId, result(id, "second"), "completed", now)).isFalse();
        assertThat(commands.find(id).orElseThrow().stdout()).isEqualTo("first");
        assertThat(commands.pendingFor(agentId)).isEmpty();
    }

    @Test
    void anotherAgentsResultIsIgnored() {
        UUID id = queued();
        assertThat(commands.storeResult(UUID.randomUUID(), result(id, "intruder"), "completed", now)).isFalse();
        assertThat(commands.find(id).orElseThrow().status()).isEqualTo("queued");
    }

    @Test
    void aGenuineLateResultReplacesTheServersAgentLostVerdictButNotACancel() {
        UUID lost = queued();
        commands.markDispatched(lost, now, now.minusSeconds(1));
        assertThat(commands.overdueRunning(now, 10)).contains(lost);
        assertThat(commands.failByServer(lost, "agent lost", now)).isTrue();
        assertThat(commands.storeResult(agentId, result(lost, "late but real"), "completed", now)).isTrue();
        CommandRow row = commands.find(lost).orElseThrow();
        assertThat(row.status()).isEqualTo("completed");
        assertThat(row.stdout()).isEqualTo("late but real");
        assertThat(row.failedByServer()).isFalse();

        UUID cancelled = queued();
        commands.markDispatched(cancelled, now, now.plusSeconds(90));
        assertThat(commands.markCancelled(cancelled, now)).isTrue();
        assertThat(commands.storeResult(agentId, result(cancelled, "partial"), "cancelled", now)).isTrue();
        assertThat(commands.storeResult(agentId, result(cancelled, "again"), "cancelled", now)).isFalse();
        CommandRow c = commands.find(cancelled).orElseThrow();
        assertThat(c.status()).isEqualTo("cancelled");
        assertThat(c.stdout()).isEqualTo("partial");
    }

    @Test
    void expiryOnlyTouchesQueuedCommands() {
        UUID old = UUID.randomUUID();
        commands.insert(new CommandRow(old, agentId, "bash", "echo", "system", 30, "queued", null, null, null, false, false, null,
                false, "test", now.minusSeconds(100), now.minusSeconds(1), null, null, null, null, null, null, null, null, null));
        UUID fresh = queued();
        assertThat(commands.expiredQueued(now, 10)).containsExactly(old);
        assertThat(commands.failByServer(old, "expired", now)).isTrue();
        assertThat(commands.failByServer(old, "expired", now)).isFalse();
        assertThat(commands.find(fresh).orElseThrow().status()).isEqualTo("queued");
    }
}
