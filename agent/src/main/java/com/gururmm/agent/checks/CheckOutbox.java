package com.gururmm.agent.checks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.AgentMessage.CheckResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Check results not yet acknowledged by the server, oldest first, in one file of the state dir
 * ({@code check-outbox.json}, replaced atomically on every change). A result is added before it
 * is sent and removed by the server's {@code check_results_ack}, so a critical result survives a
 * dropped connection and an agent restart. Bounded: past {@link #MAX} entries the oldest
 * {@code ok} result goes first (a later result of the same check says more), then the oldest.
 */
final class CheckOutbox {
    private static final Logger log = LoggerFactory.getLogger(CheckOutbox.class);
    static final int MAX = 500;

    private final StateDir state;
    private final Path file;
    private final List<CheckResult> pending = new ArrayList<>();
    private long lastSeq;

    CheckOutbox(StateDir state) {
        this.state = state;
        this.file = state.resolve("check-outbox.json");
        state.read(file).ifPresent(text -> {
            try {
                pending.addAll(Json.mapper().readValue(text, new TypeReference<List<CheckResult>>() {
                }));
            } catch (IOException e) {
                log.warn("ignoring unreadable check outbox {}", file);
            }
        });
        pending.forEach(r -> lastSeq = Math.max(lastSeq, r.seq()));
    }

    /** The next sequence number: above every earlier one, also across restarts (the clock, or the last one + 1). */
    synchronized long nextSeq() {
        lastSeq = Math.max(lastSeq + 1, System.currentTimeMillis() * 1000);
        return lastSeq;
    }

    synchronized void add(CheckResult result) {
        pending.add(result);
        while (pending.size() > MAX) {
            int victim = 0;
            for (int i = 0; i < pending.size(); i++) {
                if ("ok".equals(pending.get(i).status())) {
                    victim = i;
                    break;
                }
            }
            pending.remove(victim);
        }
        save();
    }

    synchronized void ack(long upToSeq) {
        if (pending.removeIf(r -> r.seq() <= upToSeq)) {
            save();
        }
    }

    synchronized List<CheckResult> all() {
        return List.copyOf(pending);
    }

    private void save() {
        try {
            state.writeAtomically(file, Json.mapper().writeValueAsString(pending), false);
        } catch (IOException e) {
            state.reportProblem("cannot write check outbox " + file + " (" + e.getMessage() + "); unsent check results would be lost on restart");
        }
    }
}
