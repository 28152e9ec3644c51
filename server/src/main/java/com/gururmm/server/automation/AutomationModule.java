package com.gururmm.server.automation;

import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.routing.RouteTable;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.BiPredicate;
import org.jdbi.v3.core.Jdbi;

/**
 * Automation (docs/OPERATIONS.md, "Automation"): the script library, scheduled tasks and
 * policies, wired here so {@code GuruServer} only hands over what they need.
 */
public final class AutomationModule implements AutoCloseable {
    private final ScriptService scripts;
    private final BatchService batches;

    /**
     * @param batchVisible is a batch within the caller's scope (every agent it targeted is)?
     */
    public AutomationModule(Jdbi jdbi, BatchService batches, AuditLog audit, Clock clock, BiPredicate<Principal, UUID> batchVisible) {
        this.batches = batches;
        this.scripts = new ScriptService(new ScriptStore(jdbi), batches, audit, clock, batchVisible);
    }

    public void register(RouteTable routes) {
        new ScriptRoutes(scripts, batches, id -> List.of()).register(routes);
    }

    @Override
    public void close() {
    }
}
