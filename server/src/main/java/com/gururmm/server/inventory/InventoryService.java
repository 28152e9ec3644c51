package com.gururmm.server.inventory;

import com.gururmm.protocol.api.Inventories.AgentInventory;
import com.gururmm.protocol.api.Inventories.FilesystemView;
import com.gururmm.protocol.api.Inventories.RefreshRequested;
import com.gururmm.protocol.api.Inventories.SearchHit;
import com.gururmm.protocol.api.Inventories.SearchResult;
import com.gururmm.protocol.api.Inventories.UpdatesView;
import com.gururmm.protocol.wire.AgentMessage.SystemInventoryReport;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.SystemInventory.Filesystem;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.db.JsonText;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * System inventory: stores what agents report, answers per-agent reads and fleet-wide search,
 * and asks an agent for a fresh report. Search filters narrow the set of agents (all given
 * filters must match); each hit lists the items that matched.
 */
public final class InventoryService {
    private static final Logger log = LoggerFactory.getLogger(InventoryService.class);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Rows read per search filter before giving up on precision (a pattern like {@code *} over a big fleet). */
    static final int MAX_ROWS = 200_000;
    private static final int CHANGES_SHOWN = 200;

    private final InventoryStore store;
    private final AgentService agents;
    private final ConnectionRegistry registry;
    private final AuditLog audit;
    private final Clock clock;

    public InventoryService(InventoryStore store, AgentService agents, ConnectionRegistry registry, AuditLog audit, Clock clock) {
        this.store = store;
        this.agents = agents;
        this.registry = registry;
        this.audit = audit;
        this.clock = clock;
    }

    /** From the gateway: stores the report, or returns why it was refused (nothing changed then). */
    public Optional<String> receive(UUID agentId, SystemInventoryReport report) {
        String problem = InventorySanitizer.problem(report.inventory());
        if (problem != null) {
            log.warn("refused the system inventory of agent {}: {}", agentId, problem);
            return Optional.of(problem);
        }
        Instant now = clock.instant();
        SystemInventory clean = InventorySanitizer.clean(report.inventory(), now);
        int changes = store.replace(agentId, clean, now);
        log.info("stored the system inventory of agent {} ({} packages, {} software changes{})", agentId, clean.software().size(), changes,
                report.requestId() == null ? "" : ", request " + report.requestId());
        return Optional.empty();
    }

    public AgentInventory get(UUID agentId) {
        agents.require(agentId);
        InventoryStore.Stored stored = store.find(agentId).orElseThrow(() -> ApiException.notFound("inventory of agent", agentId));
        SystemInventory doc = JsonText.read(stored.document(), SystemInventory.class);
        SystemInventory.Updates u = doc.updates();
        UpdatesView updates = u == null ? null : new UpdatesView(u.source(), u.pendingCount(), u.securityCount(), u.pendingPackages(),
                stored.oldestPendingSince(), u.rebootRequired(), u.rebootSource());
        return new AgentInventory(agentId, stored.schemaVersion(), stored.collectedAt(), stored.receivedAt(), doc.hardware(), doc.disks(),
                doc.networkInterfaces(), doc.filesystems().stream().map(InventoryService::view).toList(), store.software(agentId),
                doc.services(), updates, doc.errors(), store.changes(agentId, CHANGES_SHOWN));
    }

    public RefreshRequested refresh(Principal actor, UUID agentId) {
        agents.requireActive(agentId);
        UUID requestId = UUID.randomUUID();
        if (!registry.send(agentId, new ServerMessage.CollectInventory(requestId))) {
            throw ApiException.conflict("Agent " + agentId + " is offline; it sends its inventory when it reconnects and the last one is"
                    + " older than its interval.");
        }
        audit.record(actor.name(), "inventory.refresh", agentId.toString(), "request_id=" + requestId);
        return new RefreshRequested(agentId, requestId);
    }

    /** Only agents within {@code scope} are searched (a technician of one site sees that site's hits only). */
    public SearchResult search(Map<String, String> params, com.gururmm.server.auth.Scope scope) {
        InventorySearch q = InventorySearch.parse(params);
        Set<UUID> candidates = null;
        Map<UUID, List<Software>> software = new HashMap<>();
        Map<UUID, List<FilesystemView>> filesystems = new HashMap<>();
        if (q.software() != null) {
            for (InventoryStore.SoftwareRow row : store.softwareNamed(q.softwareLike(), MAX_ROWS, scope)) {
                if (q.versionBelow() == null || VersionOrder.INSTANCE.compare(row.software().version(), q.versionBelow()) < 0) {
                    software.computeIfAbsent(row.agentId(), k -> new ArrayList<>()).add(row.software());
                }
            }
            candidates = new LinkedHashSet<>(software.keySet());
        }
        if (q.freeBelowPercent() != null) {
            for (InventoryStore.FilesystemRow row : store.filesystemsFreeBelow(q.freeBelowPercent(), MAX_ROWS, scope)) {
                filesystems.computeIfAbsent(row.agentId(), k -> new ArrayList<>()).add(view(row.filesystem()));
            }
            candidates = intersect(candidates, filesystems.keySet());
        }
        if (candidates != null && candidates.isEmpty()) {
            return new SearchResult(List.of(), false);
        }
        Instant now = clock.instant();
        List<SearchHit> hits = new ArrayList<>();
        boolean truncated = false;
        // A long id list would exceed the database's bind-parameter limit: read every agent's facts and filter here instead.
        Set<UUID> only = candidates;
        List<InventoryStore.AgentFacts> rows = candidates != null && candidates.size() <= 1000 ? store.facts(candidates, scope)
                : store.facts(null, scope).stream().filter(f -> only == null || only.contains(f.agentId())).toList();
        for (InventoryStore.AgentFacts facts : rows) {
            if (q.pendingAbove() != null && (facts.pendingUpdates() == null || facts.pendingUpdates() <= q.pendingAbove())) {
                continue;
            }
            if (q.pendingOlderThanDays() != null && (facts.oldestPendingSince() == null
                    || !facts.oldestPendingSince().isBefore(now.minus(Duration.ofDays(q.pendingOlderThanDays()))))) {
                continue;
            }
            if (q.rebootRequired() != null && !q.rebootRequired().equals(facts.rebootRequired())) {
                continue;
            }
            if (hits.size() == q.limit()) {
                truncated = true;
                break;
            }
            hits.add(new SearchHit(facts.agentId(), facts.hostname(), facts.site(), facts.collectedAt(),
                    software.getOrDefault(facts.agentId(), List.of()), filesystems.getOrDefault(facts.agentId(), List.of()),
                    facts.pendingUpdates(), facts.oldestPendingSince(), facts.rebootRequired()));
        }
        return new SearchResult(hits, truncated);
    }

    private static Set<UUID> intersect(Set<UUID> current, Set<UUID> more) {
        if (current == null) {
            return new LinkedHashSet<>(more);
        }
        current.retainAll(more);
        return current;
    }

    static FilesystemView view(Filesystem f) {
        double percent = f.totalBytes() <= 0 ? 0 : Math.round(f.freeBytes() * 1000.0 / f.totalBytes()) / 10.0;
        return new FilesystemView(f.mount(), f.type(), f.device(), f.totalBytes(), f.freeBytes(), percent);
    }
}
