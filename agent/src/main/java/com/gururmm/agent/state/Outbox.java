package com.gururmm.agent.state;

import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Results not yet acknowledged by the server. A result is stored here durably before it is
 * sent, resent on every reconnect, and dropped only when the server's {@code result_ack}
 * arrives, so it survives dropped connections, server restarts and agent restarts. Kept in the
 * state directory's {@link Ledger}.
 */
public final class Outbox {
    private final Ledger ledger;

    public Outbox(StateDir state) {
        this.ledger = state.ledger();
    }

    /** Stores the result (synced to disk) and marks its command done in the journal. */
    public void put(CommandResult result) {
        ledger.putResult(result);
    }

    public Optional<CommandResult> get(UUID id) {
        return ledger.result(id);
    }

    public boolean contains(UUID id) {
        return ledger.hasResult(id);
    }

    /** Unacknowledged results, oldest first. */
    public List<CommandResult> all() {
        return ledger.allResults();
    }

    public void remove(UUID id) {
        ledger.ack(id);
    }
}
