package com.gururmm.server.cluster;

import com.gururmm.server.agent.AgentLink;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.events.AgentPresence;
import com.gururmm.server.events.EventBus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node holds which agent, kept in the database so that it survives the death of a node.
 *
 * <p>Each connection an agent opens anywhere sets {@code agents.connected_node} to its node and
 * raises {@code agents.connection_epoch} by one; a close clears the node only if its epoch is still
 * the agent's, so the late close of an older connection (the agent moved to another node) never
 * marks a reconnected agent offline, and that old node publishes no offline event either. When an
 * agent's new connection takes it over from another node, this node publishes the end of the old
 * connection (offline) before the new one (online), so every event stream sees the move.
 *
 * <p>Nodes heartbeat in the {@code nodes} table on the database's clock. The holder of the
 * {@code cluster.dead-nodes} lease sweeps nodes whose heartbeat is older than the lease time: their
 * agents that did not reconnect elsewhere are marked offline (with {@link AgentPresence} events, so
 * offline alerts and every node's event streams see it) and the node's row is removed. A node that
 * was swept while alive (a pause longer than the lease) claims its agents back at its next heartbeat.
 *
 * <p>With a bus spanning nodes ({@code clusterView}), {@link #isOnlineAnywhere} also knows the agents
 * of the other live nodes (a snapshot refreshed every heartbeat, updated by presence events in
 * between); on a single node it is the node's own connections, as before.
 */
public final class ClusterPresence implements ConnectionRegistry.Presence, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterPresence.class);
    public static final String DEAD_NODE_LEASE = "cluster.dead-nodes";
    /** Tries of a failed presence write before the connection is closed (about a minute with {@link #retryDelayMillis}). */
    static final int RETRY_ATTEMPTS = 12;

    private final Jdbi jdbi;
    /** The heartbeat's own pool ({@link com.gururmm.server.db.Database#livenessJdbi}): a saturated main pool must not stop it. */
    private final Jdbi liveness;
    private final String node;
    private final Duration lease;
    private final EventBus bus;
    private final ConnectionRegistry registry;
    private final ClusterLease sweepLease;
    private final boolean clusterView;
    private final Set<UUID> onlineElsewhere = ConcurrentHashMap.newKeySet();
    private EventBus.Subscription subscription;
    private ScheduledExecutorService ticker;
    /** Heartbeats on a thread of their own: the ticker's sweep and view refresh may wait for the main pool. */
    private ScheduledExecutorService heartbeater;
    /** Set when this node found its row swept while it lived; cleared only once every connection is claimed back. */
    private final java.util.concurrent.atomic.AtomicBoolean reclaimPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Instant startedAt;
    /** Where the other nodes reach this one ({@link #advertise}); written with every heartbeat. */
    private volatile String url;
    /** Retries of failed presence writes, off the agents' connection threads and off the heartbeat ticker. */
    private final ScheduledExecutorService retrier =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("gururmm-presence-retry").daemon().factory());

    /** A node as {@code GET /api/cluster} shows it. */
    public record NodeRow(String name, Instant startedAt, Instant heartbeatAt, boolean alive, long agents, String url) {
    }

    public ClusterPresence(Jdbi jdbi, String node, Duration lease, EventBus bus, ConnectionRegistry registry, ClusterLeases leases,
                           boolean clusterView) {
        this(jdbi, jdbi, node, lease, bus, registry, leases, clusterView);
    }

    /** @param liveness the pool for heartbeats, apart from the main pool {@code jdbi} */
    public ClusterPresence(Jdbi jdbi, Jdbi liveness, String node, Duration lease, EventBus bus, ConnectionRegistry registry,
                           ClusterLeases leases, boolean clusterView) {
        this.jdbi = jdbi;
        this.liveness = liveness;
        this.node = node;
        this.lease = lease;
        this.bus = bus;
        this.registry = registry;
        this.sweepLease = leases.lease(DEAD_NODE_LEASE);
        this.clusterView = clusterView;
    }

    /** Heartbeats once (so the node exists before any agent connects), installs itself on the registry, starts ticking. */
    public synchronized void start() {
        heartbeat();
        releaseStaleClaims();
        if (clusterView) {
            subscription = bus.subscribe(AgentPresence.TOPIC, event -> {
                if (event.online()) {
                    onlineElsewhere.add(event.agentId());
                } else {
                    onlineElsewhere.remove(event.agentId());
                }
            });
            refreshView();
        }
        registry.presence(this, clusterView ? onlineElsewhere::contains : null, clusterView ? this::nodeOf : null);
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("gururmm-cluster-presence").daemon().factory());
        long every = Math.max(200, lease.toMillis() / 3);
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
        heartbeater = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("gururmm-cluster-heartbeat").daemon().factory());
        heartbeater.scheduleWithFixedDelay(() -> {
            try {
                beat();
            } catch (RuntimeException e) {
                log.warn("cluster heartbeat failed; will retry: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Claims under this node's name from before it (re)started: no connection of this process holds them. */
    private void releaseStaleClaims() {
        List<UUID> stale = jdbi.withHandle(h -> h.createQuery("SELECT id FROM agents WHERE connected_node = :n").bind("n", node)
                .mapTo(UUID.class).list());
        Instant now = Instant.now();
        for (UUID id : stale) {
            int n = jdbi.withHandle(h -> h.createUpdate("UPDATE agents SET connected_node = NULL WHERE id = :id AND connected_node = :n")
                    .bind("id", id).bind("n", node).execute());
            if (n == 1) {
                bus.publish(AgentPresence.TOPIC, new AgentPresence(id, false, now));
            }
        }
        if (!stale.isEmpty()) {
            log.info("node {} restarted: {} agent(s) recorded on its previous run are offline until they reconnect", node, stale.size());
        }
    }

    private void tick() {
        try {
            reclaimIfPending();
            if (sweepLease.held()) {
                sweepDeadNodes();
            }
            if (clusterView) {
                refreshView();
            }
        } catch (RuntimeException e) {
            log.warn("cluster presence tick failed; will retry: {}", e.toString());
        }
    }

    public String node() {
        return node;
    }

    @Override
    public long connected(AgentLink link, Instant at) {
        UUID agentId = link.agentId();
        try {
            String[] previous = new String[1];
            long epoch = jdbi.inTransaction(h -> {
                previous[0] = h.createQuery("SELECT connected_node FROM agents WHERE id = :id FOR UPDATE").bind("id", agentId)
                        .mapTo(String.class).findOne().orElse(null);
                h.createUpdate("UPDATE agents SET connected_node = :node, connection_epoch = connection_epoch + 1 WHERE id = :id")
                        .bind("node", node).bind("id", agentId).execute();
                return h.createQuery("SELECT connection_epoch FROM agents WHERE id = :id").bind("id", agentId)
                        .mapTo(Long.class).findOne().orElse(-1L);
            });
            announceTakeOver(agentId, previous[0], at);
            return epoch;
        } catch (RuntimeException e) {
            log.warn("could not record that agent {} is connected to node {}: {}; retrying in the background", agentId, node, e.toString());
            scheduleRetry(link, 1);
            return -1;
        }
    }

    private void announceTakeOver(UUID agentId, String previous, Instant at) {
        if (previous != null && !previous.equals(node)) {
            // Taken over from another node (it died, or the balancer moved the agent): that connection is over.
            log.info("agent {} moved to node {} from node {}", agentId, node, previous);
            bus.publish(AgentPresence.TOPIC, new AgentPresence(agentId, false, at));
        }
    }

    /** Backoff before retry {@code attempt} (1-based): 250 ms doubling, at most 8 s. */
    static long retryDelayMillis(int attempt) {
        return Math.min(8_000L, 250L << Math.min(attempt - 1, 5));
    }

    private void scheduleRetry(AgentLink link, int attempt) {
        try {
            retrier.schedule(() -> retryConnected(link, attempt), retryDelayMillis(attempt), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // The node is stopping: its connections close with it.
        }
    }

    /**
     * A connect whose presence write failed (pool exhausted, database restarting): claims the agent
     * for this node while its connection here is still current. The claim is refused while another
     * live node holds the row, since that may be a newer connection of the agent (the old one here
     * not yet noticed dead), and a stale retry must never overwrite a newer connection; a row that
     * is free, ours, or on a dead node is taken with a new epoch. After {@link #RETRY_ATTEMPTS}
     * failed tries the connection is closed, so the agent reconnects and records itself afresh.
     */
    private void retryConnected(AgentLink link, int attempt) {
        UUID agentId = link.agentId();
        if (!registry.isCurrent(link)) {
            return; // that connection ended; its agent is (or will be) recorded by its next one
        }
        String[] previous = new String[1];
        long epoch;
        try {
            epoch = jdbi.inTransaction(h -> {
                Instant cutoff = h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one().minus(lease);
                previous[0] = h.createQuery("SELECT connected_node FROM agents WHERE id = :id FOR UPDATE").bind("id", agentId)
                        .mapTo(String.class).findOne().orElse(null);
                if (previous[0] != null && !previous[0].equals(node)) {
                    boolean holderAlive = h.createQuery("SELECT COUNT(*) FROM nodes WHERE name = :n AND heartbeat_at >= :cutoff")
                            .bind("n", previous[0]).bind("cutoff", cutoff).mapTo(Long.class).one() > 0;
                    if (holderAlive) {
                        return -2L;
                    }
                }
                h.createUpdate("UPDATE agents SET connected_node = :node, connection_epoch = connection_epoch + 1 WHERE id = :id")
                        .bind("node", node).bind("id", agentId).execute();
                return h.createQuery("SELECT connection_epoch FROM agents WHERE id = :id").bind("id", agentId)
                        .mapTo(Long.class).findOne().orElse(-1L);
            });
        } catch (RuntimeException e) {
            epoch = -1;
            if (attempt >= RETRY_ATTEMPTS) {
                log.warn("could not record that agent {} is connected to node {} after {} tries ({}); closing its connection so it reconnects",
                        agentId, node, attempt, e.toString());
            }
        }
        if (epoch == -2L && attempt >= RETRY_ATTEMPTS) {
            log.warn("agent {} is recorded on live node {}, not on its connection here; closing this one so it reconnects", agentId,
                    previous[0]);
        }
        if (epoch < 0) {
            if (attempt >= RETRY_ATTEMPTS) {
                link.close("the server could not record this connection; reconnect");
            } else {
                scheduleRetry(link, attempt + 1);
            }
            return;
        }
        if (!registry.adoptEpoch(link, epoch)) {
            disconnected(agentId, epoch, Instant.now()); // the connection ended meanwhile: undo the late claim
            return;
        }
        Instant now = Instant.now();
        announceTakeOver(agentId, previous[0], now);
        // Other nodes' views dropped the agent at their last refresh (no row named a node): show it again now.
        bus.publish(AgentPresence.TOPIC, new AgentPresence(agentId, true, now));
        log.info("recorded agent {} on node {} at try {} of its presence write", agentId, node, attempt + 1);
    }

    @Override
    public boolean disconnected(UUID agentId, long epoch, Instant at) {
        try {
            int cleared = jdbi.withHandle(h -> epoch >= 0
                    ? h.createUpdate("UPDATE agents SET connected_node = NULL WHERE id = :id AND connected_node = :node AND connection_epoch = :epoch")
                            .bind("id", agentId).bind("node", node).bind("epoch", epoch).execute()
                    : h.createUpdate("UPDATE agents SET connected_node = NULL WHERE id = :id AND connected_node = :node")
                            .bind("id", agentId).bind("node", node).execute());
            return cleared == 1;
        } catch (RuntimeException e) {
            log.warn("could not record that agent {} left node {}: {}", agentId, node, e.toString());
            return true;
        }
    }

    /** Records this node's heartbeat on the database clock; a node whose row was swept re-registers and claims its agents back. */
    public void heartbeat() {
        beat();
        reclaimIfPending();
    }

    /** The heartbeat write alone, on the liveness pool; a re-inserted row marks a reclaim as pending. */
    private void beat() {
        boolean reinserted = liveness.withHandle(h -> {
            if (h.createUpdate("UPDATE nodes SET heartbeat_at = CURRENT_TIMESTAMP, url = :u WHERE name = :n")
                    .bind("n", node).bind("u", url).execute() == 1) {
                return false;
            }
            h.createUpdate("INSERT INTO nodes (name, started_at, heartbeat_at, url) VALUES (:n, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :u)")
                    .bind("n", node).bind("u", url).execute();
            return true;
        });
        if (reinserted && startedAt != null) {
            reclaimPending.set(true);
        }
        if (startedAt == null) {
            startedAt = Instant.now();
        }
    }

    /**
     * Claims the node's connections back after it was swept while alive. The flag is cleared only
     * after a complete pass: a pass cut short by a database error is run again at the next tick
     * (before, such a pass was never retried and the rest of its agents stayed offline).
     */
    private void reclaimIfPending() {
        if (reclaimPending.getAndSet(false)) {
            try {
                reclaim();
            } catch (RuntimeException e) {
                reclaimPending.set(true);
                throw e;
            }
        }
    }

    /** After this node was swept while it lived: its current connections are its agents again. */
    private void reclaim() {
        int claimed = 0;
        for (Map.Entry<UUID, Long> e : registry.localEpochs().entrySet()) {
            int n = jdbi.withHandle(h -> h.createUpdate(
                    "UPDATE agents SET connected_node = :node WHERE id = :id AND connection_epoch = :epoch AND connected_node IS NULL")
                    .bind("node", node).bind("id", e.getKey()).bind("epoch", e.getValue()).execute());
            if (n == 1) {
                claimed++;
                bus.publish(AgentPresence.TOPIC, new AgentPresence(e.getKey(), true, Instant.now()));
            }
        }
        log.warn("node {} had been taken for dead (no heartbeat for {} s); it claimed {} of its connected agents back", node,
                lease.toSeconds(), claimed);
    }

    /**
     * Nodes without a heartbeat for the lease time: their agents still recorded on them go offline
     * (each under its epoch, so one that reconnected meanwhile is left alone) and the node's row goes.
     * Returns how many agents were marked offline.
     */
    public int sweepDeadNodes() {
        record Stale(UUID id, long epoch, String node) {
        }
        Instant now = jdbi.withHandle(h -> h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one());
        Instant cutoff = now.minus(lease);
        List<String> dead = jdbi.withHandle(h -> h.createQuery("SELECT name FROM nodes WHERE heartbeat_at < :cutoff AND name <> :me")
                .bind("cutoff", cutoff).bind("me", node).mapTo(String.class).list());
        // Agents on a node that has no row at all (swept before, or gone before it ever heartbeat) count too.
        List<Stale> stale = jdbi.withHandle(h -> h.createQuery("""
                SELECT id, connection_epoch, connected_node FROM agents
                WHERE connected_node IS NOT NULL AND connected_node <> :me
                  AND (connected_node NOT IN (SELECT name FROM nodes) OR connected_node IN (SELECT name FROM nodes WHERE heartbeat_at < :cutoff))""")
                .bind("me", node).bind("cutoff", cutoff)
                .map((rs, ctx) -> new Stale(rs.getObject("id", UUID.class), rs.getLong("connection_epoch"), rs.getString("connected_node")))
                .list());
        int marked = 0;
        List<String> sources = new ArrayList<>();
        for (Stale s : stale) {
            int n = jdbi.withHandle(h -> h.createUpdate(
                    "UPDATE agents SET connected_node = NULL WHERE id = :id AND connected_node = :node AND connection_epoch = :epoch")
                    .bind("id", s.id()).bind("node", s.node()).bind("epoch", s.epoch()).execute());
            if (n == 1) {
                marked++;
                if (!sources.contains(s.node())) {
                    sources.add(s.node());
                }
                bus.publish(AgentPresence.TOPIC, new AgentPresence(s.id(), false, now));
            }
        }
        for (String d : dead) {
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM nodes WHERE name = :n AND heartbeat_at < :cutoff")
                    .bind("n", d).bind("cutoff", cutoff).execute());
        }
        if (!dead.isEmpty() || marked > 0) {
            log.warn("dead nodes {} (no heartbeat for {} s): {} of their agents marked offline (from {})", dead, lease.toSeconds(), marked,
                    sources);
        }
        return marked;
    }

    private void refreshView() {
        Instant cutoff = jdbi.withHandle(h -> h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one()).minus(lease);
        List<UUID> ids = jdbi.withHandle(h -> h.createQuery("""
                SELECT a.id FROM agents a JOIN nodes n ON a.connected_node = n.name
                WHERE n.heartbeat_at >= :cutoff AND n.name <> :me""")
                .bind("cutoff", cutoff).bind("me", node).mapTo(UUID.class).list());
        Set<UUID> fresh = Set.copyOf(ids);
        onlineElsewhere.retainAll(fresh);
        onlineElsewhere.addAll(fresh);
    }

    /** The other node holding the agent's connection, from the database (asked only when refusing work). */
    private java.util.Optional<String> nodeOf(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT connected_node FROM agents WHERE id = :id").bind("id", agentId)
                .mapTo(String.class).findOne()).filter(n -> n != null && !n.equals(node));
    }

    /** Whether the agent is connected to this node or (in a cluster) to another live one. */
    public boolean isOnlineAnywhere(UUID agentId) {
        return registry.isOnline(agentId) || (clusterView && onlineElsewhere.contains(agentId));
    }

    /**
     * Sets where the other nodes reach this one (known once the HTTP port is bound) and writes
     * it now, so a relay to this node need not wait for the next heartbeat.
     */
    public void advertise(String nodeUrl) {
        this.url = nodeUrl;
        try {
            liveness.useHandle(h -> h.createUpdate("UPDATE nodes SET url = :u WHERE name = :n").bind("n", node).bind("u", nodeUrl).execute());
        } catch (RuntimeException e) {
            log.warn("could not record this node's URL {} yet (the next heartbeat does): {}", nodeUrl, e.toString());
        }
    }

    /** The URL of node {@code name} if it is alive (heartbeat within the lease time, database clock) and has one. */
    public Optional<java.net.URI> urlOf(String name) {
        return jdbi.withHandle(h -> {
            Instant cutoff = h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one().minus(lease);
            return h.createQuery("SELECT url FROM nodes WHERE name = :n AND url IS NOT NULL AND heartbeat_at >= :cutoff")
                    .bind("n", name).bind("cutoff", cutoff).mapTo(String.class).findOne();
        }).map(java.net.URI::create);
    }

    /** Every node with a row, with its agent count; {@code alive}: heartbeat within the lease time (database clock). */
    public List<NodeRow> nodes() {
        return jdbi.withHandle(h -> {
            Instant now = h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one();
            Map<String, Long> counts = new java.util.HashMap<>();
            h.createQuery("SELECT connected_node, COUNT(*) AS n FROM agents WHERE connected_node IS NOT NULL GROUP BY connected_node")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> counts.put(e.getKey(), e.getValue()));
            return h.createQuery("SELECT name, started_at, heartbeat_at, url FROM nodes ORDER BY name")
                    .map((rs, ctx) -> {
                        Instant beat = rs.getTimestamp("heartbeat_at").toInstant();
                        String name = rs.getString("name");
                        return new NodeRow(name, rs.getTimestamp("started_at").toInstant(), beat, !beat.isBefore(now.minus(lease)),
                                counts.getOrDefault(name, 0L), rs.getString("url"));
                    }).list();
        });
    }

    /** A clean stop: the node's row goes (its agents' closes cleared theirs), so nothing waits for it to be swept. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (heartbeater != null) {
            heartbeater.shutdownNow();
        }
        retrier.shutdownNow();
        if (subscription != null) {
            subscription.close();
        }
        try {
            jdbi.useHandle(h -> {
                h.createUpdate("UPDATE agents SET connected_node = NULL WHERE connected_node = :n").bind("n", node).execute();
                h.createUpdate("DELETE FROM nodes WHERE name = :n").bind("n", node).execute();
            });
        } catch (RuntimeException e) {
            log.warn("could not remove node {} from the cluster tables (it will be swept): {}", node, e.toString());
        }
    }
}
