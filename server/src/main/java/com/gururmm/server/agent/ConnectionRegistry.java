package com.gururmm.server.agent;

import com.gururmm.protocol.wire.ServerMessage;
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
 * agent's link the moment it is submitted, and liveness lives in memory. Heartbeats only
 * mark an agent dirty here; {@link LastSeenFlusher} writes all dirty agents in one batched
 * statement every few seconds, so 10,000 agents heartbeating every 30 s cost a handful of
 * statements, not 333 writes a second.
 *
 * <p>At most one link per agent: a new connection replaces (and closes) the old one, and a
 * close only unregisters the link that is still current, so a late close of a replaced
 * connection cannot mark a reconnected agent offline.
 */
public final class ConnectionRegistry {
    private final ConcurrentHashMap<UUID, AgentLink> links = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, Instant> lastSeen = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, Instant> dirty = new ConcurrentHashMap<>();

    public void register(AgentLink link, Instant now) {
        AgentLink previous = links.put(link.agentId(), link);
        touch(link.agentId(), now);
        if (previous != null && previous != link) {
            previous.close("replaced by a newer connection from the same agent");
        }
    }

    /** Returns true if {@code link} was the current link (the agent is now offline). */
    public boolean unregister(AgentLink link, Instant now) {
        boolean removed = links.remove(link.agentId(), link);
        if (removed) {
            touch(link.agentId(), now);
        }
        return removed;
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

    public void touch(UUID agentId, Instant now) {
        lastSeen.put(agentId, now);
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
