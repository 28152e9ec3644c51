package com.gururmm.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The append-only command ledger behind the journal and the outbox, on a real directory. */
@Timeout(60)
class LedgerTest {
    @TempDir
    Path root;

    /** A fresh StateDir on the same directory: what an agent restart sees. */
    private StateDir restart() {
        StateDir state = new StateDir(root);
        state.prepare();
        return state;
    }

    private static CommandResult result(UUID id, String stdout) {
        return new CommandResult(id, "completed", 0, stdout, "", false, false, null, Instant.now(), Instant.now());
    }

    @Test
    void claimsResultsAndAcksSurviveARestart() throws Exception {
        StateDir state = restart();
        UUID ran = UUID.randomUUID();
        UUID acked = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        Journal journal = new Journal(state);
        Outbox outbox = new Outbox(state);
        assertThat(journal.claim(ran)).isTrue();
        assertThat(journal.claim(ran)).as("a second claim of one id").isFalse();
        outbox.put(result(ran, "kept"));
        journal.claim(acked);
        outbox.put(result(acked, "gone"));
        outbox.remove(acked);
        journal.claim(running);
        journal.markRunning(running, 4242, Instant.parse("2026-12-04T10:00:00Z"));

        StateDir again = restart();
        Journal journal2 = new Journal(again);
        Outbox outbox2 = new Outbox(again);
        assertThat(journal2.hasClaimed(ran)).isTrue();
        assertThat(journal2.hasClaimed(acked)).isTrue();
        assertThat(journal2.claim(acked)).as("acknowledged, still never run again").isFalse();
        assertThat(outbox2.all()).extracting(CommandResult::commandId).containsExactly(ran);
        assertThat(outbox2.get(ran).orElseThrow().stdout()).isEqualTo("kept");
        assertThat(journal2.unfinished()).singleElement().satisfies(e -> {
            assertThat(e.commandId()).isEqualTo(running);
            assertThat(e.pid()).isEqualTo(4242L);
            assertThat(e.processStart()).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
        });
        assertThat(Ledger.unacknowledgedResults(root)).extracting(CommandResult::commandId).containsExactly(ran);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(Ledger.FILE)))).isEqualTo("rw-------");
    }

    @Test
    void aLineTornByACrashIsCutOffAndTheNextAppendStartsClean() throws Exception {
        StateDir state = restart();
        UUID claimed = UUID.randomUUID();
        new Journal(state).claim(claimed);
        Files.writeString(root.resolve(Ledger.FILE), "{\"op\":\"claim\",\"id\":\"" + UUID.randomUUID() + "\",\"at\":\"20",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        StateDir again = restart();
        Journal journal = new Journal(again);
        assertThat(journal.hasClaimed(claimed)).isTrue();
        UUID next = UUID.randomUUID();
        assertThat(journal.claim(next)).isTrue();
        assertThat(again.writable()).isTrue();

        Journal third = new Journal(restart());
        assertThat(third.hasClaimed(claimed)).isTrue();
        assertThat(third.hasClaimed(next)).as("appended after the cut, on a line of its own").isTrue();
        assertThat(Files.readAllLines(root.resolve(Ledger.FILE))).hasSize(2);
    }

    @Test
    void garbageLinesAreSkippedNotFatal() throws Exception {
        UUID id = UUID.randomUUID();
        Files.writeString(root.resolve(Ledger.FILE), "not json\n\u0000\u0000\n{\"op\":\"result\",\"id\":\"" + id + "\"}\n"
                + "{\"op\":\"claim\",\"id\":\"" + id + "\",\"at\":\"2026-12-04T10:00:00Z\"}\n");
        Journal journal = new Journal(restart());
        assertThat(journal.hasClaimed(id)).isTrue();
        assertThat(Ledger.unacknowledgedResults(root)).as("a result line without a result").isEmpty();
    }

    @Test
    void theOldFilePerEntryLayoutIsTakenOverAndRemoved() throws Exception {
        UUID done = UUID.randomUUID();
        UUID unacked = UUID.randomUUID();
        UUID interrupted = UUID.randomUUID();
        Path journalDir = Files.createDirectories(root.resolve("journal"));
        Path outboxDir = Files.createDirectories(root.resolve("outbox"));
        Files.writeString(journalDir.resolve(done + ".json"), Json.mapper().writeValueAsString(
                new Journal.Entry(done, "done", null, null, Instant.now())));
        Files.writeString(journalDir.resolve(unacked + ".json"), Json.mapper().writeValueAsString(
                new Journal.Entry(unacked, "done", null, null, Instant.now())));
        Files.writeString(journalDir.resolve(interrupted + ".json"), Json.mapper().writeValueAsString(
                new Journal.Entry(interrupted, "running", 99L, Instant.now(), Instant.now())));
        Files.writeString(outboxDir.resolve(unacked + ".json"), Json.mapper().writeValueAsString(result(unacked, "from 1.x")));

        StateDir state = restart();
        Journal journal = new Journal(state);
        Outbox outbox = new Outbox(state);
        assertThat(journal.claim(done)).isFalse();
        assertThat(journal.claim(unacked)).isFalse();
        assertThat(outbox.get(unacked).orElseThrow().stdout()).isEqualTo("from 1.x");
        assertThat(journal.unfinished()).extracting(Journal.Entry::commandId).containsExactly(interrupted);
        assertThat(journalDir).as("kept until the update is confirmed: a rollback reads only these").isDirectory();
        assertThat(outboxDir.resolve(unacked + ".json")).exists();

        StateDir confirmed = restart();
        assertThat(new Journal(confirmed).hasClaimed(done)).isTrue();
        confirmed.retireOldCommandLayout();
        assertThat(journalDir).doesNotExist();
        assertThat(outboxDir).doesNotExist();

        Journal afterwards = new Journal(restart());
        assertThat(afterwards.hasClaimed(done)).as("kept in the ledger once the old files are gone").isTrue();
        assertThat(Ledger.unacknowledgedResults(root)).extracting(CommandResult::commandId).containsExactly(unacked);
    }

    @Test
    void aLogThatIsMostlyHistoryIsRewrittenToWhatItStillHolds() throws Exception {
        StateDir state = restart();
        Journal journal = new Journal(state);
        Outbox outbox = new Outbox(state);
        String big = "x".repeat(64 * 1024);
        UUID kept = UUID.randomUUID();
        journal.claim(kept);
        outbox.put(result(kept, "still unacknowledged"));
        for (int i = 0; i < 100; i++) {
            UUID id = UUID.randomUUID();
            journal.claim(id);
            outbox.put(result(id, big));
            outbox.remove(id);
        }
        long size = Files.size(root.resolve(Ledger.FILE));
        assertThat(size).as("rewritten once past 4 MiB of mostly acknowledged results").isLessThan(4L * 1024 * 1024);

        Journal journal2 = new Journal(restart());
        assertThat(Ledger.unacknowledgedResults(root)).extracting(CommandResult::commandId).containsExactly(kept);
        assertThat(journal2.hasClaimed(kept)).isTrue();
        assertThat(Files.exists(root.resolve(Ledger.FILE + ".tmp"))).isFalse();
    }

    @Test
    void finishedEntriesAreForgottenAfterTheRetention() throws Exception {
        StateDir state = restart();
        Journal journal = new Journal(state);
        UUID id = UUID.randomUUID();
        journal.claim(id);
        journal.markDone(id);
        journal.prune(Instant.now().plus(Journal.RETENTION).plus(Duration.ofMinutes(1)));
        assertThat(journal.hasClaimed(id)).isFalse();
    }

    @Test
    void anUnwritableDirectoryIsReportedAndTheAgentCarriesOnFromMemory() throws Exception {
        StateDir state = restart();
        Files.createDirectory(root.resolve(Ledger.FILE)); // a directory where the log should be
        Journal journal = new Journal(state);
        UUID id = UUID.randomUUID();
        assertThat(journal.claim(id)).isTrue();
        assertThat(journal.claim(id)).as("still never twice while the agent lives").isFalse();
        assertThat(state.writable()).isFalse();
        assertThat(state.problems()).anySatisfy(p -> assertThat(p).contains("ledger"));

        // The obstacle goes: the next claim is on disk again (a failure does not switch durability off for good).
        Files.delete(root.resolve(Ledger.FILE));
        UUID later = UUID.randomUUID();
        assertThat(journal.claim(later)).isTrue();
        assertThat(new Journal(restart()).hasClaimed(later)).isTrue();
    }
}
