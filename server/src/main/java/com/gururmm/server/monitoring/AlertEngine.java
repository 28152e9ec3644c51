package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.server.events.EventBus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, re-opens and resolves alerts; the one writer of alert state besides a user's
 * acknowledge/resolve. Evaluators call {@link #raise} when a check's condition turns bad and
 * {@link #clear} when it has cleared (each evaluator applies its own "OK for K evaluations"
 * rule before calling it).
 *
 * <p>No floods:
 * <ul>
 *   <li>Exactly one unresolved alert per check per agent: a raise while one is open only updates
 *       it (the database's unique {@code open_key} enforces this even across nodes).</li>
 *   <li>Flap guard: a raise within {@link #flapWindow} of the same alert's resolution re-opens
 *       that alert (one more occurrence) instead of creating a new one.</li>
 *   <li>Only lifecycle changes (opened, re-opened, severity changed, acknowledged, resolved) are
 *       published as {@link AlertChanged}; a new value on an open alert is stored, not announced.</li>
 * </ul>
 * Calls for one agent are serialized (striped locks), so its evaluators cannot race each other.
 */
final class AlertEngine {
    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
    static final Duration DEFAULT_FLAP_WINDOW = Duration.ofMinutes(10);
    private static final int STRIPES = 64;

    private final AlertStore store;
    private final AgentDirectory agents;
    private final MaintenanceWindows maintenance;
    private final EventBus bus;
    private final Clock clock;
    private final Duration flapWindow;
    private final Object[] locks = new Object[STRIPES];

    AlertEngine(AlertStore store, AgentDirectory agents, MaintenanceWindows maintenance, EventBus bus, Clock clock, Duration flapWindow) {
        this.store = store;
        this.agents = agents;
        this.maintenance = maintenance;
        this.bus = bus;
        this.clock = clock;
        this.flapWindow = flapWindow;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    private Object lock(UUID agentId) {
        return locks[Math.floorMod(agentId.hashCode(), STRIPES)];
    }

    /** The check's condition is bad on the agent. Returns the unresolved alert for it. */
    AlertView raise(UUID agentId, String checkKey, UUID checkId, String kind, String severity, String title, String message,
                    String lastValue) {
        synchronized (lock(agentId)) {
            Instant now = clock.instant();
            AgentDirectory.AgentInfo agent = agents.get(agentId).orElse(new AgentDirectory.AgentInfo(agentId, null, null));
            Optional<AlertView> open = store.findOpen(agentId, checkKey);
            if (open.isPresent()) {
                return updateOpen(open.get(), severity, message, lastValue, now);
            }
            boolean silenced = maintenance.covers(agentId, agent.site(), now);
            Optional<AlertView> recent = store.findResolvedSince(agentId, checkKey, now.minus(flapWindow));
            if (recent.isPresent() && store.reopen(recent.get().id(), agentId, checkKey, severity, message, lastValue, silenced, now)) {
                AlertView reopened = store.find(recent.get().id()).orElseThrow();
                log.info("alert {} re-opened ({} on {}): condition back within the flap window", reopened.id(), checkKey, agentId);
                publish(reopened);
                return reopened;
            }
            AlertView created = new AlertView(UUID.randomUUID(), agentId, agent.hostname(), agent.site(), checkKey, checkId, kind,
                    severity, "open", truncate(title, 300), message, truncate(lastValue, 4000), 1, silenced, now, now, null, null, null, null);
            try {
                store.insert(created);
            } catch (UnableToExecuteStatementException e) {
                // Another node opened it first (unique open_key): that one is the alert.
                Optional<AlertView> winner = store.findOpen(agentId, checkKey);
                if (winner.isEmpty()) {
                    throw e;
                }
                return updateOpen(winner.get(), severity, message, lastValue, now);
            }
            log.info("alert {} opened: {} on {} ({}){}", created.id(), checkKey, agentId, severity, silenced ? " [silenced]" : "");
            publish(created);
            return created;
        }
    }

    private AlertView updateOpen(AlertView open, String severity, String message, String lastValue, Instant now) {
        boolean severityChanged = !open.severity().equals(severity);
        if (severityChanged || !java.util.Objects.equals(open.lastValue(), lastValue) || !java.util.Objects.equals(open.message(), message)) {
            store.update(open.id(), severity, message, truncate(lastValue, 4000), now);
            AlertView updated = store.find(open.id()).orElseThrow();
            if (severityChanged) {
                publish(updated);
            }
            return updated;
        }
        return open;
    }

    /** The check's condition has cleared: resolves its unresolved alert, if any. */
    Optional<AlertView> clear(UUID agentId, String checkKey) {
        synchronized (lock(agentId)) {
            Optional<AlertView> open = store.findOpen(agentId, checkKey);
            if (open.isEmpty() || !store.resolve(open.get().id(), "system", clock.instant())) {
                return Optional.empty();
            }
            AlertView resolved = store.find(open.get().id()).orElseThrow();
            log.info("alert {} resolved: {} on {} cleared", resolved.id(), checkKey, agentId);
            publish(resolved);
            return Optional.of(resolved);
        }
    }

    /** open → acknowledged; empty when the alert was not open. */
    Optional<AlertView> acknowledge(AlertView alert, String actor) {
        synchronized (lock(alert.agentId())) {
            if (!store.acknowledge(alert.id(), actor, clock.instant())) {
                return Optional.empty();
            }
            AlertView acked = store.find(alert.id()).orElseThrow();
            publish(acked);
            return Optional.of(acked);
        }
    }

    /** open or acknowledged → resolved by a user; empty when it was resolved already. */
    Optional<AlertView> resolve(AlertView alert, String actor) {
        synchronized (lock(alert.agentId())) {
            if (!store.resolve(alert.id(), actor, clock.instant())) {
                return Optional.empty();
            }
            AlertView resolved = store.find(alert.id()).orElseThrow();
            publish(resolved);
            return Optional.of(resolved);
        }
    }

    private void publish(AlertView a) {
        bus.publish(AlertChanged.TOPIC, new AlertChanged(a.id(), a.agentId(), a.hostname(), a.site(), a.checkKey(), a.severity(),
                a.state(), a.title(), a.message(), a.silenced(), a.updatedAt()));
    }

    static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
