package com.gururmm.server.command;

import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.server.db.GroupCommit;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Group commit for agents' results ({@link GroupCommit}): each connection hands its result here
 * and waits; whatever is waiting, up to {@link #MAX_BATCH}, is stored in one transaction. A
 * fan-out's 10,000 results cost tens of commits instead of 10,000; a result that comes alone is
 * stored at once (no lingering), so a single round trip pays only a hand-over between threads.
 *
 * <p>What a result means does not change: it is acknowledged only after the commit that stored
 * it. When a group's transaction fails, each of its results is stored again on its own, by its own
 * caller, so one bad result fails alone exactly as without grouping, and a database that is away
 * fails each, unacknowledged, for its agent to send again.
 */
final class ResultWriter implements AutoCloseable {
    static final int MAX_BATCH = 256;

    private final CommandStore store;
    private final GroupCommit<CommandStore.ResultToStore, Boolean> group;

    ResultWriter(CommandStore store) {
        this.store = store;
        this.group = new GroupCommit<>("results", store::storeResults, Duration.ZERO, MAX_BATCH, r -> 1, Duration.ofMinutes(2));
    }

    /** Stores the result as {@link CommandStore#storeResult} does, sharing a transaction with others waiting; blocks until committed. */
    boolean store(UUID agentId, CommandResult result, String status, Instant now) {
        try {
            return group.write(new CommandStore.ResultToStore(agentId, result, status, now));
        } catch (RuntimeException groupFailed) {
            // Alone now: its own error (a bad value, the database away) is its own, as it always was.
            return store.storeResult(agentId, result, status, now);
        }
    }

    @Override
    public void close() {
        group.close();
    }
}
