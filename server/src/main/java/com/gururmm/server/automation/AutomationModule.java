package com.gururmm.server.automation;

import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.monitoring.MonitoringModule;
import com.gururmm.server.routing.RouteTable;
import java.time.Clock;
import com.gururmm.server.agent.AgentService;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * Automation (docs/OPERATIONS.md, "Automation"): the script library, scheduled tasks and
 * policies, wired here so {@code GuruServer} only hands over what they need.
 */
public final class AutomationModule implements AutoCloseable {
    private final ScriptService scripts;
    private final BatchService batches;
    private final ScheduleService schedules;
    private final Scheduler scheduler;
    private final PolicyService policies;
    private final MonitoringModule monitoring;
    private long lastReload;

    /**
     * @param batchVisible is a batch within the caller's scope (every agent it targeted is)?
     * @param users        a user as a caller now (role and scope), empty when disabled or deleted: schedules run as their owner
     * @param node         this server node's name, recorded with each occurrence it fires
     */
    public AutomationModule(Jdbi jdbi, BatchService batches, AgentService agents, AuditLog audit, Clock clock,
                            BiPredicate<Principal, UUID> batchVisible, Function<UUID, Optional<Principal>> users, String node,
                            MonitoringModule monitoring, java.util.function.BiConsumer<Principal, UUID> checkAgent) {
        this.monitoring = monitoring;
        this.batches = batches;
        this.scripts = new ScriptService(new ScriptStore(jdbi), batches, audit, clock, batchVisible);
        this.schedules = new ScheduleService(new ScheduleStore(jdbi), scripts, batches, agents, audit, clock, users);
        this.scheduler = new Scheduler(schedules, scripts, batches, audit, clock, node);
        this.policies = new PolicyService(new PolicyStore(jdbi), schedules, audit, clock, checkAgent);
        schedules.policies(policies);
        policies.reload();
        policies.onChange(monitoring::policiesChanged);
        monitoring.policyLayer(policies);
    }

    public void register(RouteTable routes) {
        new ScriptRoutes(scripts, batches, id -> schedules.store().usingScript(id)).register(routes);
        new ScheduleRoutes(schedules, batches).register(routes);
        new PolicyRoutes(policies).register(routes);
    }

    /** One scheduler pass: fires every due occurrence (run every second by the server). */
    public int tick() {
        // Agents enroll and move between sites without telling the policies: re-read every few seconds.
        long now = System.nanoTime();
        if (now - lastReload > 10_000_000_000L) {
            lastReload = now;
            if (policies.reload()) {
                monitoring.policiesChanged();
            }
        }
        return scheduler.tick();
    }

    @Override
    public void close() {
    }
}
