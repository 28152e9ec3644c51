package com.gururmm.agent.state;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Which command ids this agent has started: the guarantee that a command is never run twice,
 * however often the server delivers it. An id is claimed durably <em>before</em> its process
 * is launched, so a crash between claim and launch at worst loses a run (reported as failed
 * "agent restarted during execution"), never doubles one. The process id is recorded once it
 * runs, so an agent restarted mid-command can kill the orphaned process tree.
 *
 * <p>Kept in the state directory's {@link Ledger}; entries of finished commands are forgotten
 * after {@link #RETENTION}, far longer than the server keeps redelivering.
 */
public final class Journal {
    public static final Duration RETENTION = Duration.ofDays(14);

    /** @param processStart the process's start time, to tell a reused pid from ours */
    public record Entry(UUID commandId, String state, Long pid, Instant processStart, Instant updatedAt) {
    }

    private final Ledger ledger;

    public Journal(StateDir state) {
        this.ledger = state.ledger();
    }

    /** Claims {@code id} for execution (synced to disk); false if it was claimed before (now or in an earlier life). */
    public boolean claim(UUID id) {
        return ledger.claim(id);
    }

    public boolean hasClaimed(UUID id) {
        return ledger.contains(id);
    }

    /**
     * Records the pid. Not synced to disk: it only serves to kill an orphan after the agent died,
     * and then the page cache still has it (a power cut kills the orphan anyway).
     */
    public void markRunning(UUID id, long pid, Instant processStart) {
        ledger.markRunning(id, pid, processStart);
    }

    /**
     * Not synced: if lost, the start-up recovery finds the result in the outbox and marks it done
     * then. Storing a result marks its command done already; this is for commands without one.
     */
    public void markDone(UUID id) {
        ledger.markDone(id);
    }

    /** Entries of commands that were starting or running when the agent last stopped. */
    public List<Entry> unfinished() {
        return ledger.unfinished();
    }

    /** Forgets finished commands older than the retention period. */
    public void prune(Instant now) {
        ledger.prune(now.minus(RETENTION));
    }
}
