package com.gururmm.server.agent;

import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.events.AgentPresence;
import com.gururmm.server.events.EventBus;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which agents are connected to this node, and when each was last heard from.
 *
 * <p>This is the server's answer to "no per-agent polling": a command is pushed down the
 * agent's link the moment it is submitted, and liveness lives in memory. The API reads an
 * online agent's last-seen time from here, so the database copy only needs to be right for
 * agents that are <em>not</em> connected: connects and disconnects are always written, while
 * heartbeats of a connected agent are written at most once per {@link #PERSIST_EVERY}.
 * {@link LastSeenFlusher} writes whatever is due in one batched statement every few seconds,
 * so 10,000 agents heartbeating every 30 s cost about 33 row writes a second, not 333.
 *
 * <p>At most one link per agent: a new connection replaces (and closes) the old one, and a
 * close only unregisters the link that is still current, so a late close of a replaced
 * connection cannot mark a reconnected agent offline. The newer one wins because an agent that
 * reconnects after a network drop must not wait for its dead connection to time out; but a
 * replacement is also what a stolen credential looks like, so each one is logged and audited
 * ({@code agent.duplicate_connection}, with both addresses): two addresses taking turns mean two
 * holders of one credential (retire the agent and enrol it again).
 */
public final class ConnectionRegistry {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnectionRegistry.class);
    private final AuditLog audit;
    private final EventBus bus;
    private final ConcurrentHashMap<UUID, AgentLink> links = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, Instant> lastSeen = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, Instant> dirty = new ConcurrentHashMap<>();
    /** When each agent's last-seen time was last queued for the database. */
    private final ConcurrentHashMap<UUID, Instant> queuedAt = new ConcurrentHashMap<>();

    /**
     * How stale the stored last-seen of a connected agent may get. Only a server crash exposes
     * it (a clean stop writes every connected agent's disconnect), and then by at most this much.
     */
    static final java.time.Duration PERSIST_EVERY = java.time.Duration.ofMinutes(5);

    /** Without an audit log (unit tests): replacements are only logged. */
    public ConnectionRegistry() {
        this(null, null);
    }

    /** Publishes {@link AgentPresence} on {@code bus} (when given) as agents come and go. */
    public ConnectionRegistry(AuditLog audit, EventBus bus) {
        this.audit = audit;
        this.bus = bus;
    }

    /**
     * Cluster presence (see {@code cluster.ClusterPresence}): records which node holds each agent's
     * connection, under an epoch that grows with every connection the agent opens anywhere.
     */
    public interface Presence {
        /**
         * The agent's new connection {@code link} is here; returns its epoch (negative when it could
         * not be recorded yet: the presence then records it later through {@link ConnectionRegistry#adoptEpoch}).
         */
        long connected(AgentLink link, Instant at);

        /** The connection of {@code epoch} closed; true if it was still the agent's current one anywhere. */
        boolean disconnected(UUID agentId, long epoch, Instant at);
    }

    private volatile Presence presence;
    private volatile java.util.function.Predicate<UUID> onlineAnywhere;
    private volatile java.util.function.Function<UUID, java.util.Optional<String>> nodeOf;
    private final ConcurrentHashMap<AgentLink, Long> epochs = new ConcurrentHashMap<>();

    /** Installs cluster presence; {@code onlineAnywhere} answers {@link #isOnlineAnywhere} (null: this node's links only). */
    public void presence(Presence presence, java.util.function.Predicate<UUID> onlineAnywhere) {
        presence(presence, onlineAnywhere, null);
    }

    /** The same, and {@code nodeOf} names the node holding an agent's connection (null: none known). */
    public void presence(Presence presence, java.util.function.Predicate<UUID> onlineAnywhere,
                         java.util.function.Function<UUID, java.util.Optional<String>> nodeOf) {
        this.presence = presence;
        this.onlineAnywhere = onlineAnywhere;
        this.nodeOf = nodeOf;
    }

    /**
     * The other node of the cluster that holds the agent's connection, when it is not here: work
     * bound to the connection (a shell, a file transfer) names it in its refusal.
     */
    public java.util.Optional<String> otherNodeHolding(UUID agentId) {
        java.util.function.Function<UUID, java.util.Optional<String>> of = nodeOf;
        return isOnline(agentId) || of == null ? java.util.Optional.empty() : of.apply(agentId);
    }

    /** Whether the agent is connected to any node of the cluster (on a single node: {@link #isOnline}). */
    public boolean isOnlineAnywhere(UUID agentId) {
        java.util.function.Predicate<UUID> anywhere = onlineAnywhere;
        return isOnline(agentId) || (anywhere != null && anywhere.test(agentId));
    }

    /** The connection epoch of each agent connected here (a snapshot; agents without a recorded one are left out). */
    public Map<UUID, Long> localEpochs() {
        Map<UUID, Long> out = new HashMap<>();
        links.forEach((id, link) -> {
            Long epoch = epochs.get(link);
            if (epoch != null && epoch >= 0) {
                out.put(id, epoch);
            }
        });
        return out;
    }

    public void register(AgentLink link, Instant now) {
        Presence p = presence;
        if (p != null) {
            epochs.put(link, p.connected(link, now));
        }
        AgentLink previous = links.put(link.agentId(), link);
        persistSoon(link.agentId(), now);
        if (previous == null && bus != null) {
            bus.publish(AgentPresence.TOPIC, new AgentPresence(link.agentId(), true, now));
        }
        if (previous != null && previous != link) {
            previous.close("replaced by a newer connection from the same agent");
            String detail = "connection from " + previous.remoteAddress() + " replaced by a new one from " + link.remoteAddress();
            log.warn("agent {}: second connection with its credential; {}", link.agentId(), detail);
            if (audit != null) {
                try {
                    audit.record("agent:" + link.agentId(), "agent.duplicate_connection", link.agentId().toString(), detail);
                } catch (RuntimeException e) {
                    // The connection is registered already; a database hiccup must not leave its hello half-handled.
                    log.error("could not audit the duplicate connection of agent {}: {}", link.agentId(), e.toString());
                }
            }
        }
    }

    /** Returns true if {@code link} was the current link (the agent is now offline). */
    public boolean unregister(AgentLink link, Instant now) {
        boolean removed = links.remove(link.agentId(), link);
        Long epoch = epochs.remove(link);
        Presence p = presence;
        if (removed) {
            persistSoon(link.agentId(), now);
            // In a cluster the agent may be connected to another node already: then this close is old news.
            boolean current = p == null || epoch == null || p.disconnected(link.agentId(), epoch, now);
            if (bus != null && current) {
                bus.publish(AgentPresence.TOPIC, new AgentPresence(link.agentId(), false, now));
            }
        }
        return removed;
    }

    /** Whether {@code link} is still the agent's current connection on this node. */
    public boolean isCurrent(AgentLink link) {
        return links.get(link.agentId()) == link;
    }

    /**
     * A presence write that failed at connect time succeeded later: {@code link}'s connection now
     * has {@code epoch}. False (nothing changed) when the link is no longer current here, so the
     * caller undoes its late claim; a recorded epoch is never replaced.
     */
    public boolean adoptEpoch(AgentLink link, long epoch) {
        if (!isCurrent(link)) {
            return false;
        }
        Long recorded = epochs.computeIfPresent(link, (l, old) -> old < 0 ? epoch : old);
        return recorded != null && recorded == epoch && isCurrent(link);
    }

    public boolean isOnline(UUID agentId) {
        return links.containsKey(agentId);
    }

    /** Ids of the agents connected to this node right now (a snapshot). */
    public java.util.Set<UUID> onlineAgentIds() {
        return java.util.Set.copyOf(links.keySet());
    }

    public int onlineCount() {
        return links.size();
    }

    /** Sends if the agent is connected here; false if it is not (the caller leaves the work queued). */
    public boolean send(UUID agentId, ServerMessage message) {
        AgentLink link = links.get(agentId);
        return link != null && link.send(message);
    }

    /** Closes the agent's connection, e.g. after its credential was replaced by a re-enrollment. */
    public void disconnect(UUID agentId, String reason) {
        AgentLink link = links.get(agentId);
        if (link != null) {
            link.close(reason);
        }
    }

    /** The agent was heard from (heartbeat or any frame). */
    public void touch(UUID agentId, Instant now) {
        lastSeen.put(agentId, now);
        Instant queued = queuedAt.get(agentId);
        if (queued == null || !now.isBefore(queued.plus(PERSIST_EVERY))) {
            persistSoon(agentId, now);
        }
    }

    /** Queues the last-seen time for the next batched write regardless of when the last one was. */
    private void persistSoon(UUID agentId, Instant now) {
        lastSeen.put(agentId, now);
        queuedAt.put(agentId, now);
        dirty.put(agentId, now);
    }

    public Optional<Instant> lastSeen(UUID agentId) {
        return Optional.ofNullable(lastSeen.get(agentId));
    }

    /** Takes the last-seen times changed since the previous call. */
    public Map<UUID, Instant> drainDirty() {
        Map<UUID, Instant> out = new HashMap<>();
        for (UUID id : dirty.keySet()) {
            Instant at = dirty.remove(id);
            if (at != null) {
                out.put(id, at);
            }
        }
        return out;
    }

    /** Puts back times a failed flush could not write, unless newer ones arrived meanwhile. */
    public void restoreDirty(Map<UUID, Instant> unwritten) {
        unwritten.forEach((id, at) -> dirty.merge(id, at, (current, old) -> current.isAfter(old) ? current : old));
    }

    public void closeAll(String reason) {
        links.values().forEach(link -> link.close(reason));
    }
}
