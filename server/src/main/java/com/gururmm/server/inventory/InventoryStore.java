package com.gururmm.server.inventory;

import com.gururmm.protocol.api.Inventories.SoftwareChange;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.SystemInventory.Disk;
import com.gururmm.protocol.wire.SystemInventory.Filesystem;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.db.JsonText;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The latest system inventory per agent. One report replaces the agent's previous rows in a
 * single transaction (software, file systems, disks, the document), records the software changes
 * against the previous report, and keeps the first-seen time of each pending update.
 */
public final class InventoryStore {
    /** A report listing more changes than this (a reinstall, say) records only the first ones. */
    static final int MAX_EVENTS_PER_REPORT = 2_000;

    private final Jdbi jdbi;

    public InventoryStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The stored summary row; {@code document} is the JSON of the whole (sanitised) report. */
    public record Stored(UUID agentId, int schemaVersion, Instant collectedAt, Instant receivedAt, String document,
                         Integer pendingUpdates, Instant oldestPendingSince, Boolean rebootRequired) {
    }

    /** Replaces the agent's inventory; returns the number of software changes recorded. */
    public int replace(UUID agentId, SystemInventory inventory, Instant now) {
        return jdbi.inTransaction(h -> {
            boolean hadInventory = h.createQuery("SELECT COUNT(*) FROM agent_inventory WHERE agent_id = :a").bind("a", agentId)
                    .mapTo(Integer.class).one() > 0;
            List<Software> previous = hadInventory ? software(h, agentId) : List.of();
            h.createUpdate("DELETE FROM inventory_software WHERE agent_id = :a").bind("a", agentId).execute();
            h.createUpdate("DELETE FROM inventory_filesystems WHERE agent_id = :a").bind("a", agentId).execute();
            h.createUpdate("DELETE FROM inventory_disks WHERE agent_id = :a").bind("a", agentId).execute();
            h.createUpdate("DELETE FROM agent_inventory WHERE agent_id = :a").bind("a", agentId).execute();

            insertSoftware(h, agentId, inventory.software());
            if (!inventory.filesystems().isEmpty()) {
                PreparedBatch fs = h.prepareBatch("INSERT INTO inventory_filesystems (agent_id, mount, fs_type, device, total_bytes, free_bytes)"
                        + " VALUES (:a, :mount, :type, :device, :total, :free)");
                for (Filesystem f : inventory.filesystems()) {
                    fs.bind("a", agentId).bind("mount", f.mount()).bind("type", f.type()).bind("device", f.device())
                            .bind("total", f.totalBytes()).bind("free", f.freeBytes()).add();
                }
                fs.execute();
            }
            if (!inventory.disks().isEmpty()) {
                PreparedBatch disks = h.prepareBatch("INSERT INTO inventory_disks (agent_id, name, model, serial, size_bytes)"
                        + " VALUES (:a, :name, :model, :serial, :size)");
                for (Disk d : inventory.disks()) {
                    disks.bind("a", agentId).bind("name", d.name()).bind("model", d.model()).bind("serial", d.serial())
                            .bind("size", d.sizeBytes()).add();
                }
                disks.execute();
            }
            Instant oldestPending = trackPending(h, agentId, inventory.updates(), now);
            SystemInventory.Updates u = inventory.updates();
            h.createUpdate("INSERT INTO agent_inventory (agent_id, schema_version, collected_at, received_at, document, software_count,"
                            + " update_source, pending_updates, security_updates, oldest_pending_since, reboot_required)"
                            + " VALUES (:a, :v, :collected, :received, :doc, :count, :source, :pending, :security, :oldest, :reboot)")
                    .bind("a", agentId).bind("v", inventory.schemaVersion()).bind("collected", at(inventory.collectedAt()))
                    .bind("received", at(now)).bind("doc", JsonText.write(inventory)).bind("count", inventory.software().size())
                    .bind("source", u == null ? null : u.source()).bind("pending", u == null ? null : u.pendingCount())
                    .bind("security", u == null ? null : u.securityCount()).bind("oldest", oldestPending == null ? null : at(oldestPending))
                    .bind("reboot", u == null ? null : u.rebootRequired())
                    .execute();
            if (!hadInventory) {
                return 0; // the first report is the baseline, not thousands of "installed" events
            }
            List<SoftwareChange> changes = SoftwareDiff.changes(previous, inventory.software(), now);
            List<SoftwareChange> kept = changes.size() > MAX_EVENTS_PER_REPORT ? changes.subList(0, MAX_EVENTS_PER_REPORT) : changes;
            if (!kept.isEmpty()) {
                PreparedBatch events = h.prepareBatch("INSERT INTO inventory_software_events (agent_id, at, event, name, arch, source,"
                        + " old_version, new_version) VALUES (:a, :at, :event, :name, :arch, :source, :old, :new)");
                for (SoftwareChange c : kept) {
                    events.bind("a", agentId).bind("at", at(c.at())).bind("event", c.event()).bind("name", c.name()).bind("arch", c.arch())
                            .bind("source", c.source()).bind("old", c.oldVersion()).bind("new", c.newVersion()).add();
                }
                events.execute();
            }
            return kept.size();
        });
    }

    private static void insertSoftware(Handle h, UUID agentId, List<Software> software) {
        if (software.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch("INSERT INTO inventory_software (agent_id, name, name_lc, version, arch, source)"
                + " VALUES (:a, :name, :lc, :version, :arch, :source)");
        for (Software s : software) {
            batch.bind("a", agentId).bind("name", s.name()).bind("lc", s.name().toLowerCase(Locale.ROOT)).bind("version", s.version())
                    .bind("arch", s.arch()).bind("source", s.source()).add();
        }
        batch.execute();
    }

    /** Keeps first_seen for updates still pending, adds new ones, drops installed ones; returns the oldest first_seen. */
    private static Instant trackPending(Handle h, UUID agentId, SystemInventory.Updates updates, Instant now) {
        Set<String> current = new HashSet<>(updates == null || updates.pendingPackages() == null ? List.of() : updates.pendingPackages());
        Map<String, Instant> known = new HashMap<>();
        h.createQuery("SELECT name, first_seen FROM inventory_pending_updates WHERE agent_id = :a").bind("a", agentId)
                .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getObject("first_seen", OffsetDateTime.class).toInstant()))
                .forEach(e -> known.put(e.getKey(), e.getValue()));
        List<String> gone = known.keySet().stream().filter(n -> !current.contains(n)).toList();
        if (!gone.isEmpty()) {
            PreparedBatch delete = h.prepareBatch("DELETE FROM inventory_pending_updates WHERE agent_id = :a AND name = :n");
            gone.forEach(n -> delete.bind("a", agentId).bind("n", n).add());
            delete.execute();
        }
        List<String> added = current.stream().filter(n -> !known.containsKey(n)).toList();
        if (!added.isEmpty()) {
            PreparedBatch insert = h.prepareBatch("INSERT INTO inventory_pending_updates (agent_id, name, first_seen) VALUES (:a, :n, :at)");
            added.forEach(n -> insert.bind("a", agentId).bind("n", n).bind("at", at(now)).add());
            insert.execute();
        }
        Instant oldest = null;
        for (String name : current) {
            Instant seen = known.getOrDefault(name, now);
            if (oldest == null || seen.isBefore(oldest)) {
                oldest = seen;
            }
        }
        // A count without names (apt-check alone) still pending: the oldest is when the count was first non-zero.
        if (oldest == null && updates != null && updates.pendingCount() != null && updates.pendingCount() > 0) {
            Optional<Instant> previous = h.createQuery("SELECT oldest_pending_since FROM agent_inventory WHERE agent_id = :a")
                    .bind("a", agentId).mapTo(OffsetDateTime.class).findOne().map(OffsetDateTime::toInstant);
            oldest = previous.orElse(now);
        }
        return oldest;
    }

    public Optional<Stored> find(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM agent_inventory WHERE agent_id = :a").bind("a", agentId)
                .map((rs, ctx) -> new Stored(agentId, rs.getInt("schema_version"),
                        rs.getObject("collected_at", OffsetDateTime.class).toInstant(),
                        rs.getObject("received_at", OffsetDateTime.class).toInstant(), rs.getString("document"),
                        (Integer) rs.getObject("pending_updates"), instant(rs.getObject("oldest_pending_since", OffsetDateTime.class)),
                        (Boolean) rs.getObject("reboot_required")))
                .findOne());
    }

    public List<Software> software(UUID agentId) {
        return jdbi.withHandle(h -> software(h, agentId));
    }

    private static List<Software> software(Handle h, UUID agentId) {
        return h.createQuery("SELECT name, version, arch, source FROM inventory_software WHERE agent_id = :a ORDER BY name_lc, arch, version")
                .bind("a", agentId)
                .map((rs, ctx) -> new Software(rs.getString("name"), rs.getString("version"), rs.getString("arch"), rs.getString("source")))
                .list();
    }

    public List<SoftwareChange> changes(UUID agentId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM inventory_software_events WHERE agent_id = :a ORDER BY at DESC, name")
                .bind("a", agentId).setMaxRows(limit)
                .map((rs, ctx) -> new SoftwareChange(rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("event"),
                        rs.getString("name"), rs.getString("arch"), rs.getString("source"), rs.getString("old_version"),
                        rs.getString("new_version")))
                .list());
    }

    /** A software row of some agent. */
    public record SoftwareRow(UUID agentId, Software software) {
    }

    /** Software whose lower-cased name matches a LIKE pattern (escape {@code !}), at most {@code maxRows}. */
    public List<SoftwareRow> softwareNamed(String likePattern, int maxRows, Scope scope) {
        return jdbi.withHandle(h -> h.createQuery("SELECT agent_id, name, version, arch, source FROM inventory_software"
                        + " WHERE name_lc LIKE :p ESCAPE '!' AND " + scope.agentsSql("agent_id") + " ORDER BY agent_id, name_lc")
                .bind("p", likePattern).setMaxRows(maxRows)
                .map((rs, ctx) -> new SoftwareRow(rs.getObject("agent_id", UUID.class),
                        new Software(rs.getString("name"), rs.getString("version"), rs.getString("arch"), rs.getString("source"))))
                .list());
    }

    public record FilesystemRow(UUID agentId, Filesystem filesystem) {
    }

    /** File systems with less than {@code percent} % free (and a known size). */
    public List<FilesystemRow> filesystemsFreeBelow(double percent, int maxRows, Scope scope) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM inventory_filesystems WHERE total_bytes > 0 AND " + scope.agentsSql("agent_id")
                        + " AND CAST(free_bytes AS DOUBLE PRECISION) * 100 < :pct * CAST(total_bytes AS DOUBLE PRECISION)"
                        + " ORDER BY agent_id, mount")
                .bind("pct", percent).setMaxRows(maxRows)
                .map((rs, ctx) -> new FilesystemRow(rs.getObject("agent_id", UUID.class), filesystem(rs)))
                .list());
    }

    public List<Filesystem> filesystems(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM inventory_filesystems WHERE agent_id = :a ORDER BY mount")
                .bind("a", agentId).map((rs, ctx) -> filesystem(rs)).list());
    }

    private static Filesystem filesystem(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Filesystem(rs.getString("mount"), rs.getString("fs_type"), rs.getString("device"), rs.getLong("total_bytes"),
                rs.getLong("free_bytes"));
    }

    /** Agent-level facts for search, with the agent's hostname and site; retired agents are left out. */
    public record AgentFacts(UUID agentId, String hostname, String site, Instant collectedAt, Integer pendingUpdates,
                             Instant oldestPendingSince, Boolean rebootRequired) {
    }

    public List<AgentFacts> facts(Collection<UUID> onlyThese, Scope scope) {
        return jdbi.withHandle(h -> {
            String sql = "SELECT i.agent_id, a.hostname, a.site, i.collected_at, i.pending_updates, i.oldest_pending_since,"
                    + " i.reboot_required FROM agent_inventory i JOIN agents a ON a.id = i.agent_id WHERE a.retired_at IS NULL AND "
                    + scope.sitesSql("a.site_id");
            var query = onlyThese == null ? h.createQuery(sql + " ORDER BY a.hostname, i.agent_id")
                    : h.createQuery(sql + " AND i.agent_id IN (<ids>) ORDER BY a.hostname, i.agent_id").bindList("ids", List.copyOf(onlyThese));
            return query.map((rs, ctx) -> new AgentFacts(rs.getObject("agent_id", UUID.class), rs.getString("hostname"), rs.getString("site"),
                    rs.getObject("collected_at", OffsetDateTime.class).toInstant(), (Integer) rs.getObject("pending_updates"),
                    instant(rs.getObject("oldest_pending_since", OffsetDateTime.class)), (Boolean) rs.getObject("reboot_required"))).list();
        });
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    static List<String> names(List<Software> software) {
        List<String> out = new ArrayList<>();
        software.forEach(s -> out.add(s.name()));
        return out;
    }
}
