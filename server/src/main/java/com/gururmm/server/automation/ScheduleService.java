package com.gururmm.server.automation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRun;
import com.gururmm.protocol.api.Schedules.ScheduleView;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Scheduled tasks: validation (script and version, parameter values, timing, targets: all
 * checked when the schedule is saved, with the same messages as a run), who sees and changes
 * which schedule, and what an occurrence runs ({@link #prepareOccurrence}); {@link Scheduler}
 * fires them.
 *
 * <p>A schedule runs as its owner (who last saved it): at each occurrence their current role
 * and scope decide which agents it reaches, so a technician's schedule never reaches beyond
 * what that technician may touch today. A caller sees a schedule when every agent it targets
 * now is in their scope (admins see all); a policy's tasks are changed through the policy.
 */
public final class ScheduleService {
    private final ScheduleStore store;
    private final ScriptService scripts;
    private final BatchService batches;
    private final AgentService agents;
    private final AuditLog audit;
    private final Clock clock;
    private final Function<UUID, Optional<Principal>> users;
    private volatile PolicyTargets policies = PolicyTargets.NONE;

    /** The agents a policy applies to, for its tasks. */
    interface PolicyTargets {
        PolicyTargets NONE = new PolicyTargets() {
            @Override
            public List<BatchService.Target> agents(UUID policyId, Scope scope) {
                return List.of();
            }

            @Override
            public String describe(UUID policyId) {
                return "policy " + policyId;
            }
        };

        List<BatchService.Target> agents(UUID policyId, Scope scope);

        String describe(UUID policyId);
    }

    /** Where a schedule's commands go: agent ids or a filter (stored as JSON). */
    record Target(List<UUID> agentIds, AgentFilter filter) {
    }

    ScheduleService(ScheduleStore store, ScriptService scripts, BatchService batches, AgentService agents, AuditLog audit, Clock clock,
                    Function<UUID, Optional<Principal>> users) {
        this.store = store;
        this.scripts = scripts;
        this.batches = batches;
        this.agents = agents;
        this.audit = audit;
        this.clock = clock;
        this.users = users;
    }

    void policies(PolicyTargets policies) {
        this.policies = policies;
    }

    ScheduleStore store() {
        return store;
    }

    ScheduleView create(Principal actor, ScheduleRequest r) {
        ScheduleStore.ScheduleRow row = validate(actor, null, r);
        store.insert(row);
        audit.record(actor.name(), "schedule.create", row.id().toString(), describe(row));
        return view(row);
    }

    /**
     * A policy's task: like {@link #create} without targets (the policy's agents are), stored on
     * {@code h}, the policy's transaction.
     */
    ScheduleStore.ScheduleRow validateTask(Principal actor, UUID policyId, ScheduleRequest r) {
        if (r.agentIds() != null || r.filter() != null) {
            throw ApiException.badRequest("A policy's task takes no 'agent_ids' or 'filter': it runs on the agents the policy applies to.");
        }
        return build(actor, null, r, null, policyId);
    }

    ScheduleView update(Principal actor, UUID id, ScheduleRequest r) {
        ScheduleStore.ScheduleRow old = find(actor, id);
        if (old.policyId() != null) {
            throw ApiException.conflict("Schedule " + id + " is a task of policy " + old.policyId() + "; change it through the policy (PATCH /api/policies/"
                    + old.policyId() + ").");
        }
        if (r.scriptId() != null && !r.scriptId().equals(old.scriptId())) {
            throw ApiException.badRequest("Field 'script_id' cannot change; create a new schedule for another script.");
        }
        Target target = target(old);
        boolean timingGiven = r.cron() != null || r.intervalSeconds() != null || r.at() != null;
        boolean targetGiven = r.agentIds() != null || r.filter() != null;
        ScheduleRequest merged = new ScheduleRequest(r.name() != null ? r.name() : old.name(), old.scriptId(),
                r.scriptVersion() != null ? r.scriptVersion() : Integer.valueOf(old.scriptVersion()),
                r.parameters() != null ? r.parameters() : ScriptParameters.typed(
                        scripts.pinned(old.scriptId(), old.scriptVersion()).map(ScriptService.Resolved::parameters).orElse(List.of()),
                        ScriptService.readValues(old.parameters())),
                targetGiven ? r.agentIds() : target.agentIds(), targetGiven ? r.filter() : target.filter(),
                timingGiven ? r.cron() : old.cron(), timingGiven ? r.intervalSeconds() : old.intervalSeconds(), timingGiven ? r.at() : old.runAt(),
                r.timeZone() != null ? r.timeZone() : old.timeZone(), r.skipIfMissed() != null ? r.skipIfMissed() : old.skipIfMissed(),
                r.enabled() != null ? r.enabled() : old.enabled());
        ScheduleStore.ScheduleRow row = validate(actor, old, merged);
        store.update(row);
        audit.record(actor.name(), "schedule.update", id.toString(), describe(row));
        return view(row);
    }

    void delete(Principal actor, UUID id) {
        ScheduleStore.ScheduleRow old = find(actor, id);
        if (old.policyId() != null) {
            throw ApiException.conflict("Schedule " + id + " is a task of policy " + old.policyId() + "; remove it from the policy instead.");
        }
        store.delete(id);
        audit.record(actor.name(), "schedule.delete", id.toString(), describe(old));
    }

    ScheduleView get(Principal caller, UUID id) {
        return view(find(caller, id));
    }

    List<ScheduleView> list(Principal caller, UUID scriptId) {
        List<ScheduleView> out = new ArrayList<>();
        for (ScheduleStore.ScheduleRow row : store.all()) {
            if ((scriptId == null || scriptId.equals(row.scriptId())) && visible(caller, row)) {
                out.add(view(row));
            }
        }
        return out;
    }

    List<ScheduleRun> runs(Principal caller, UUID id, int limit, Function<UUID, BatchView> batch) {
        find(caller, id);
        return store.runs(id, limit).stream().map(run -> {
            BatchView b = run.batchId() == null ? null : batch.apply(run.batchId());
            return new ScheduleRun(run.scheduleId(), run.occurrenceAt(), run.firedAt(), run.status(), run.message(), run.batchId(),
                    b == null ? null : b.agentCount(), b == null ? null : b.counts(), b == null ? null : b.done(), run.node());
        }).toList();
    }

    private ScheduleStore.ScheduleRow find(Principal caller, UUID id) {
        return store.find(id).filter(row -> visible(caller, row)).orElseThrow(() -> ApiException.notFound("schedule", id));
    }

    /** Every agent it targets now is in the caller's scope (a schedule naming no agent now: admins only). */
    boolean visible(Principal caller, ScheduleStore.ScheduleRow row) {
        if (caller.scope().all()) {
            return true;
        }
        Set<UUID> all = targetIds(row, Scope.ALL);
        return !all.isEmpty() && targetIds(row, caller.scope()).containsAll(all);
    }

    private Set<UUID> targetIds(ScheduleStore.ScheduleRow row, Scope scope) {
        if (row.policyId() != null) {
            Set<UUID> ids = new HashSet<>();
            policies.agents(row.policyId(), scope).forEach(t -> ids.add(t.id()));
            return ids;
        }
        Target t = target(row);
        Set<UUID> ids = new HashSet<>();
        if (t.agentIds() != null) {
            Set<UUID> wanted = new HashSet<>(t.agentIds());
            agents.list(null, null, null, null, null, null, false, scope).forEach(a -> {
                if (wanted.contains(a.id())) {
                    ids.add(a.id());
                }
            });
        } else {
            AgentFilter f = t.filter();
            agents.list(f.status(), f.os(), f.site(), f.hostname(), f.clientId(), f.siteId(), false, scope).forEach(a -> ids.add(a.id()));
        }
        return ids;
    }

    // --- what an occurrence runs ---

    /** What one occurrence of {@code row} runs, as its owner now; an ApiException says why nothing can. */
    record Occurrence(Principal owner, ScriptService.Resolved script, BatchService.Prepared prepared, Map<String, String> values) {
    }

    Occurrence prepareOccurrence(ScheduleStore.ScheduleRow row) {
        Principal owner = users.apply(row.ownerId()).orElseThrow(() -> ApiException.badRequest(
                "The schedule's owner (" + row.createdBy() + ") is disabled or deleted; an admin must save the schedule again to take it over."));
        if (!owner.role().includes(Role.TECHNICIAN)) {
            throw ApiException.forbidden("The schedule's owner " + owner.name() + " is no longer a technician or admin.");
        }
        ScriptService.Resolved script = scripts.pinned(row.scriptId(), row.scriptVersion()).orElseThrow(() -> ApiException.badRequest(
                "The schedule's script " + row.scriptId() + " (version " + row.scriptVersion() + ") was deleted."));
        Map<String, String> values = ScriptService.readValues(row.parameters());
        var v = script.row();
        BatchService.Prepared prepared;
        if (row.policyId() != null) {
            List<BatchService.Target> targets = policies.agents(row.policyId(), owner.scope());
            if (targets.isEmpty()) {
                throw ApiException.badRequest("Policy " + policies.describe(row.policyId()) + " applies to no agent (in its owner's scope) now.");
            }
            prepared = batches.prepare(new com.gururmm.protocol.api.Commands.CommandRequest(v.commandType(), v.body(), v.context(),
                    v.timeoutSeconds()), targets, policies.describe(row.policyId()));
        } else {
            Target t = target(row);
            prepared = batches.prepare(owner, new BatchRequest(t.agentIds(), t.filter(), v.commandType(), v.body(), v.context(), v.timeoutSeconds()));
        }
        return new Occurrence(owner, script, prepared, values);
    }

    // --- validation ---

    private ScheduleStore.ScheduleRow validate(Principal actor, ScheduleStore.ScheduleRow old, ScheduleRequest r) {
        Target target = new Target(r.agentIds(), r.filter());
        ScheduleStore.ScheduleRow row = build(actor, old, r, target, null);
        // The target must reach something now, in the caller's scope, and the script must support it.
        var v = scripts.pinned(row.scriptId(), row.scriptVersion()).orElseThrow();
        BatchService.Prepared prepared = batches.prepare(actor, new BatchRequest(r.agentIds(), r.filter(), v.row().commandType(), v.row().body(),
                v.row().context(), v.row().timeoutSeconds()));
        for (BatchService.Target t : prepared.targets()) {
            String refused = ScriptService.osRefusal(v, t);
            if (refused != null) {
                throw ApiException.badRequest("Field 'supported_os': " + refused + " Narrow the target (e.g. filter by 'os').");
            }
        }
        return row;
    }

    private ScheduleStore.ScheduleRow build(Principal actor, ScheduleStore.ScheduleRow old, ScheduleRequest r, Target target, UUID policyId) {
        if (r.scriptId() == null) {
            throw ApiException.badRequest("Field 'script_id' is required: the script the schedule runs.");
        }
        ScriptService.Resolved script = scripts.resolve(r.scriptId(), r.scriptVersion(), "script_id");
        Map<String, String> values = ScriptParameters.values(script.parameters(), r.parameters());
        Timing timing = Timing.of(r.cron(), r.intervalSeconds(), r.at(), r.timeZone());
        Instant now = clock.instant();
        boolean enabled = r.enabled() == null || r.enabled();
        if (timing.kind().equals("at") && !timing.at().isAfter(now) && enabled) {
            throw ApiException.badRequest("Field 'at' is in the past (" + timing.at() + "); a one-off needs a time to come.");
        }
        String name = r.name() == null || r.name().isBlank() ? script.row().name() : r.name().strip();
        if (name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("Field 'name' must be plain text of at most 200 characters.");
        }
        Instant next = enabled ? timing.next(now).orElse(null) : null;
        return new ScheduleStore.ScheduleRow(old == null ? UUID.randomUUID() : old.id(), name, script.scriptId(), script.version(),
                ScriptService.json(values), target == null ? null : json(target), policyId, timing.kind(), timing.cron(),
                timing.intervalSeconds(), timing.at(), timing.zone().getId(), Boolean.TRUE.equals(r.skipIfMissed()), enabled, next,
                actor.userId(), old == null ? actor.name() : actor.name(), old == null ? now : old.createdAt(), now);
    }

    static Timing timing(ScheduleStore.ScheduleRow row) {
        return new Timing(row.kind(), row.cron(), row.intervalSeconds(), row.runAt(), Timing.zone(row.timeZone()));
    }

    static Target target(ScheduleStore.ScheduleRow row) {
        try {
            return Json.mapper().readValue(row.target(), Target.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable target of schedule " + row.id(), e);
        }
    }

    private static String json(Target target) {
        return ScriptService.json(target);
    }

    static String describe(ScheduleStore.ScheduleRow row) {
        String when = switch (row.kind()) {
            case "cron" -> "cron '" + row.cron() + "' " + row.timeZone();
            case "interval" -> "every " + row.intervalSeconds() + " s";
            default -> "at " + row.runAt();
        };
        return row.name() + ": script " + row.scriptId() + " v" + row.scriptVersion() + ", " + when + (row.enabled() ? "" : ", disabled")
                + (row.skipIfMissed() ? ", skip if missed" : "");
    }

    ScheduleView view(ScheduleStore.ScheduleRow row) {
        Target t = row.target() == null ? new Target(null, null) : target(row);
        String scriptName = scripts.pinned(row.scriptId(), row.scriptVersion()).map(s -> s.row().name()).orElse(null);
        return new ScheduleView(row.id(), row.name(), row.scriptId(), scriptName, row.scriptVersion(), ScriptService.readValues(row.parameters()),
                t.agentIds(), t.filter(), row.policyId(), row.kind(), row.cron(), row.intervalSeconds(), row.runAt(), row.timeZone(),
                row.skipIfMissed(), row.enabled(), row.nextRunAt(), row.createdBy(), row.createdAt(), row.updatedAt());
    }
}
