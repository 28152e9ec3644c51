package com.gururmm.server.monitoring;

import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.events.AgentPresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code agent_offline} checks, on the server: an {@link AgentPresence} offline event starts one
 * timer per offline agent and check; the timer raises the alert if the agent is still away when
 * it fires, and the agent's return cancels it and resolves the alert. Nothing polls: at start one
 * query over the agents' {@code last_seen} starts the timers of agents already offline, and a
 * change of checks re-arms the timers of the agents that are offline at that moment.
 */
final class OfflineWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OfflineWatcher.class);

    private final CheckCatalog catalog;
    private final AgentDirectory agents;
    private final AgentStore agentStore;
    private final ConnectionRegistry registry;
    private final AlertEngine engine;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("offline-checks").daemon().factory());
    /** Offline agents and since when. */
    private final Map<UUID, Instant> offlineSince = new ConcurrentHashMap<>();
    private final Map<UUID, java.util.List<ScheduledFuture<?>>> timers = new ConcurrentHashMap<>();

    OfflineWatcher(CheckCatalog catalog, AgentDirectory agents, AgentStore agentStore, ConnectionRegistry registry, AlertEngine engine,
                   Clock clock) {
        this.catalog = catalog;
        this.agents = agents;
        this.agentStore = agentStore;
        this.registry = registry;
        this.engine = engine;
        this.clock = clock;
    }

    /** Agents that were offline when the server started (one query, at start). */
    void catchUp() {
        for (AgentRow row : agentStore.list(null, null, null)) {
            if (!registry.isOnlineAnywhere(row.id())) {
                offlineSince.putIfAbsent(row.id(), row.lastSeen() != null ? row.lastSeen() : row.enrolledAt());
            }
        }
        offlineSince.keySet().forEach(this::arm);
    }

    void onPresence(AgentPresence event) {
        UUID id = event.agentId();
        if (event.online()) {
            offlineSince.remove(id);
            cancel(id);
            agents.forget(id);
            String site = agents.get(id).map(AgentDirectory.AgentInfo::site).orElse(null);
            for (Check c : catalog.resolve(id, site).stream().map(CheckCatalog.Resolved::check).toList()) {
                if (c.kind().equals("agent_offline")) {
                    engine.clear(id, c.key());
                }
            }
        } else {
            offlineSince.put(id, event.at());
            arm(id);
        }
    }

    /** Checks changed: offline agents get timers for the offline checks they have now. */
    void rearm() {
        offlineSince.keySet().forEach(this::arm);
    }

    private void arm(UUID id) {
        cancel(id);
        Instant since = offlineSince.get(id);
        if (since == null) {
            return;
        }
        String site = agents.get(id).map(AgentDirectory.AgentInfo::site).orElse(null);
        java.util.List<ScheduledFuture<?>> armed = new java.util.ArrayList<>();
        for (Check c : catalog.effective(id, site)) {
            if (!c.kind().equals("agent_offline")) {
                continue;
            }
            long delay = Duration.between(clock.instant(), since.plusMillis(Math.round(c.params().minutes() * 60_000))).toMillis();
            armed.add(timer.schedule(() -> fire(id, c.key(), since), Math.max(0, delay), TimeUnit.MILLISECONDS));
        }
        if (!armed.isEmpty()) {
            timers.put(id, armed);
        }
    }

    private void cancel(UUID id) {
        java.util.List<ScheduledFuture<?>> old = timers.remove(id);
        if (old != null) {
            old.forEach(f -> f.cancel(false));
        }
    }

    /** In a cluster only the holder of the offline-alerts lease raises; the others look again a little later. */
    void activeWhen(java.util.function.BooleanSupplier active) {
        this.active = active;
    }

    private volatile java.util.function.BooleanSupplier active = () -> true;

    private void fire(UUID id, String key, Instant since) {
        try {
            if (registry.isOnlineAnywhere(id) || !since.equals(offlineSince.get(id)) || agentStore.isRetired(id)) {
                return;
            }
            if (!active.getAsBoolean()) {
                timer.schedule(() -> fire(id, key, since), 2, TimeUnit.SECONDS);
                return;
            }
            String site = agents.get(id).map(AgentDirectory.AgentInfo::site).orElse(null);
            Check check = catalog.effective(id, site).stream().filter(c -> c.key().equals(key) && c.kind().equals("agent_offline"))
                    .findFirst().orElse(null);
            if (check == null) {
                return;
            }
            engine.raise(id, key, check.id(), check.kind(), check.severity(), check.title(),
                    "No connection from the agent since " + since + ".", since.toString());
        } catch (RuntimeException e) {
            log.warn("could not raise the offline alert of agent {}: {}", id, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
