package com.gururmm.server.monitoring;

import com.gururmm.server.events.AgentEventReported;

/**
 * Windows bugchecks (blue screens) reported by agents: one critical alert per occurrence. The
 * alert's check key is {@code bugcheck:<event key>}, so a report sent twice (the agent resends
 * after a reconnect) finds its alert and adds nothing. These alerts never resolve by themselves:
 * a crash happened; a person acknowledges or resolves it.
 */
final class CrashAlerts {
    private final AlertStore store;
    private final AlertEngine engine;

    CrashAlerts(AlertStore store, AlertEngine engine) {
        this.store = store;
        this.engine = engine;
    }

    void onEvent(AgentEventReported event) {
        if (!"bugcheck".equals(event.kind()) || event.agentId() == null) {
            return;
        }
        String eventKey = event.eventKey() == null || event.eventKey().isBlank()
                ? String.valueOf(event.occurredAt()) : event.eventKey();
        String key = AlertEngine.truncate("bugcheck:" + eventKey, 200);
        if (store.exists(event.agentId(), key)) {
            return;
        }
        String summary = event.summary() == null ? "The machine stopped with a bugcheck." : event.summary();
        engine.raise(event.agentId(), key, null, "bugcheck", "critical", "Windows crash (bugcheck)",
                summary + (event.occurredAt() != null ? " (at " + event.occurredAt() + ")" : ""), AlertEngine.truncate(summary, 200));
    }
}
