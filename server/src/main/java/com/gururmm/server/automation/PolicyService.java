package com.gururmm.server.automation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.api.Policies;
import com.gururmm.protocol.api.Policies.AgentPolicies;
import com.gururmm.protocol.api.Policies.AppliedPolicy;
import com.gururmm.protocol.api.Policies.AppliedTask;
import com.gururmm.protocol.api.Policies.Assignment;
import com.gururmm.protocol.api.Policies.AssignmentRequest;
import com.gururmm.protocol.api.Policies.PolicyCheck;
import com.gururmm.protocol.api.Policies.PolicyRequest;
import com.gururmm.protocol.api.Policies.PolicyView;
import com.gururmm.protocol.api.Policies.Task;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.monitoring.Check;
import com.gururmm.server.monitoring.MonitoringModule;
import com.gururmm.server.monitoring.PolicyChecks;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Policies: a bundle of checks and scheduled tasks assigned to the fleet, clients or sites.
 * An agent gets every policy assigned to the fleet, to its site's client or to its site, except
 * those that exclude it; a policy reaching it from several places applies once (its most
 * specific source is shown). Checks join the monitoring catalog as a layer between the fleet's
 * checks and the site's ({@link PolicyChecks}); tasks are schedules whose targets are the
 * policy's agents at each occurrence.
 *
 * <p>Who may change what: a policy assigned to the fleet, or holding a script check (it runs a
 * script as root/SYSTEM everywhere it reaches), is admin-only; otherwise a technician may
 * change a policy whose every assignment is within their scope (a client: every site of it).
 * Assigning at fleet level is admin-only; at a client, the whole client must be in scope.
 *
 * <p>Everything is held in memory ({@link #reload}, after each change and every few seconds
 * for agents that enrolled or moved), so the monitoring layer is a map lookup.
 */
final class PolicyService implements PolicyChecks, ScheduleService.PolicyTargets {
    private final PolicyStore store;
    private final ScheduleService schedules;
    private final AuditLog audit;
    private final Clock clock;
    private final BiConsumer<Principal, UUID> checkAgent;
    private volatile Runnable onChange = () -> { };
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), Map.of());

    private record Policy(PolicyStore.PolicyRow row, List<PolicyStore.CheckRow> checkRows, List<Check> checks,
                          List<PolicyStore.AssignmentRow> assignments, Set<UUID> excluded) {
    }

    private record Snapshot(Map<UUID, Policy> policies, Map<UUID, PolicyStore.AgentPlace> agents, Map<UUID, List<Check>> checksByAgent) {
    }

    PolicyService(PolicyStore store, ScheduleService schedules, AuditLog audit, Clock clock, BiConsumer<Principal, UUID> checkAgent) {
        this.store = store;
        this.schedules = schedules;
        this.audit = audit;
        this.clock = clock;
        this.checkAgent = checkAgent;
    }

    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /** Reads every policy and every live agent's place; returns true when what applies changed. */
    synchronized boolean reload() {
        Map<UUID, List<PolicyStore.CheckRow>> checks = new HashMap<>();
        store.checks().forEach(c -> checks.computeIfAbsent(c.policyId(), k -> new ArrayList<>()).add(c));
        Map<UUID, List<PolicyStore.AssignmentRow>> assignments = new HashMap<>();
        store.assignments().forEach(a -> assignments.computeIfAbsent(a.policyId(), k -> new ArrayList<>()).add(a));
        Map<UUID, Set<UUID>> excluded = new HashMap<>();
        store.exclusions().forEach(e -> excluded.computeIfAbsent(e.policyId(), k -> new HashSet<>()).add(e.agentId()));
        Map<UUID, Policy> policies = new LinkedHashMap<>();
        for (PolicyStore.PolicyRow row : store.policies()) {
            List<PolicyStore.CheckRow> rows = checks.getOrDefault(row.id(), List.of());
            List<Check> built = new ArrayList<>();
            for (PolicyStore.CheckRow c : rows) {
                built.add(MonitoringModule.policyCheck(row.id(), definition(c), row.createdBy(), row.updatedAt()));
            }
            policies.put(row.id(), new Policy(row, rows, List.copyOf(built), assignments.getOrDefault(row.id(), List.of()),
                    excluded.getOrDefault(row.id(), Set.of())));
        }
        Map<UUID, PolicyStore.AgentPlace> agents = new HashMap<>();
        store.agents().forEach(a -> agents.put(a.id(), a));
        Map<UUID, List<Check>> byAgent = new HashMap<>();
        for (PolicyStore.AgentPlace agent : agents.values()) {
            Map<String, Check> byKey = new LinkedHashMap<>();
            for (Policy p : policies.values()) {
                if (!p.checks().isEmpty() && !sources(p, agent).isEmpty() && !p.excluded().contains(agent.id())) {
                    p.checks().forEach(c -> byKey.put(c.key(), c));
                }
            }
            if (!byKey.isEmpty()) {
                byAgent.put(agent.id(), List.copyOf(byKey.values()));
            }
        }
        Snapshot next = new Snapshot(policies, agents, byAgent);
        boolean changed = !keys(next.checksByAgent()).equals(keys(snapshot.checksByAgent()));
        snapshot = next;
        return changed;
    }

    private static Map<UUID, List<UUID>> keys(Map<UUID, List<Check>> byAgent) {
        Map<UUID, List<UUID>> out = new HashMap<>();
        byAgent.forEach((agent, checks) -> out.put(agent, checks.stream().map(c -> c.id()).toList()));
        return out;
    }

    // --- monitoring layer and task targets ---

    @Override
    public List<Check> forAgent(UUID agentId) {
        return snapshot.checksByAgent().getOrDefault(agentId, List.of());
    }

    @Override
    public boolean anyOfKind(String kind) {
        return snapshot.policies().values().stream().flatMap(p -> p.checks().stream()).anyMatch(c -> c.kind().equals(kind));
    }

    /** The agents a policy's task runs on now (a fresh read of the agents), within {@code scope}. */
    @Override
    public List<BatchService.Target> agents(UUID policyId, Scope scope) {
        Policy p = snapshot.policies().get(policyId);
        if (p == null) {
            return List.of();
        }
        List<BatchService.Target> out = new ArrayList<>();
        for (PolicyStore.AgentPlace a : store.agents()) {
            if (scope.allowsSite(a.siteId()) && !sources(p, a).isEmpty() && !p.excluded().contains(a.id())) {
                out.add(new BatchService.Target(a.id(), a.os(), a.serverHost()));
            }
        }
        return out;
    }

    @Override
    public String describe(UUID policyId) {
        Policy p = snapshot.policies().get(policyId);
        return p == null ? "policy " + policyId : "policy '" + p.row().name() + "'";
    }

    private static List<PolicyStore.AssignmentRow> sources(Policy p, PolicyStore.AgentPlace agent) {
        return p.assignments().stream().filter(a -> switch (a.level()) {
            case "fleet" -> true;
            case "client" -> a.clientId().equals(agent.clientId());
            default -> a.siteId().equals(agent.siteId());
        }).toList();
    }

    // --- changes ---

    PolicyView create(Principal actor, PolicyRequest r) {
        String name = name(r.name());
        if (snapshot.policies().values().stream().anyMatch(p -> p.row().nameKey().equals(key(name)))) {
            throw ApiException.conflict("A policy named '" + name + "' exists; change it or choose another 'name'.");
        }
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        List<PolicyStore.CheckRow> checks = checks(id, r.checks(), actor, now);
        requireAllowed(actor, List.of(), checks);
        List<ScheduleStore.ScheduleRow> tasks = tasks(actor, id, r.tasks());
        PolicyStore.PolicyRow row = new PolicyStore.PolicyRow(id, name, key(name), description(r.description()), actor.name(), now, now);
        store.jdbi().useTransaction(h -> {
            store.insert(h, row);
            store.replaceChecks(h, id, checks);
            tasks.forEach(t -> schedules.store().insert(h, t));
        });
        audit.record(actor.name(), "policy.create", id.toString(), name + ": " + checks.size() + " checks, " + tasks.size() + " tasks");
        changed();
        return view(actor, id);
    }

    PolicyView update(Principal actor, UUID id, PolicyRequest r) {
        Policy old = find(actor, id);
        Instant now = clock.instant();
        List<PolicyStore.CheckRow> checks = r.checks() == null ? old.checkRows() : checks(id, r.checks(), actor, now);
        requireAllowed(actor, old.assignments(), old.checkRows());
        requireAllowed(actor, old.assignments(), checks);
        List<ScheduleStore.ScheduleRow> tasks = r.tasks() == null ? null : tasks(actor, id, r.tasks());
        String name = r.name() == null ? old.row().name() : name(r.name());
        if (snapshot.policies().values().stream().anyMatch(p -> !p.row().id().equals(id) && p.row().nameKey().equals(key(name)))) {
            throw ApiException.conflict("Another policy is named '" + name + "'; choose another 'name'.");
        }
        PolicyStore.PolicyRow row = new PolicyStore.PolicyRow(id, name, key(name),
                r.description() == null ? old.row().description() : description(r.description()), old.row().createdBy(), old.row().createdAt(), now);
        store.jdbi().useTransaction(h -> {
            store.update(h, row);
            if (r.checks() != null) {
                store.replaceChecks(h, id, checks);
            }
            if (tasks != null) {
                store.deleteTasks(h, id);
                tasks.forEach(t -> schedules.store().insert(h, t));
            }
        });
        audit.record(actor.name(), "policy.update", id.toString(), name + (r.checks() != null ? ", checks replaced (" + checks.size() + ")" : "")
                + (tasks != null ? ", tasks replaced (" + tasks.size() + ")" : ""));
        changed();
        return view(actor, id);
    }

    void delete(Principal actor, UUID id) {
        Policy old = find(actor, id);
        requireAllowed(actor, old.assignments(), old.checkRows());
        store.delete(id);
        audit.record(actor.name(), "policy.delete", id.toString(), old.row().name());
        changed();
    }

    Assignment assign(Principal actor, UUID id, AssignmentRequest r) {
        Policy p = find(actor, id);
        requireAllowed(actor, p.assignments(), p.checkRows());
        String level = r.level() == null ? null : r.level().toLowerCase(Locale.ROOT);
        if (level == null || !Policies.LEVELS.contains(level)) {
            throw ApiException.badRequest("Field 'level' must be one of " + Policies.LEVELS + "; got " + (r.level() == null ? "nothing" : "'" + r.level() + "'") + ".");
        }
        UUID client = null;
        UUID site = null;
        switch (level) {
            case "fleet" -> {
                if (r.clientId() != null || r.siteId() != null) {
                    throw ApiException.badRequest("Field 'level' is fleet, which takes neither 'client_id' nor 'site_id'.");
                }
                if (!actor.role().includes(Role.ADMIN)) {
                    throw ApiException.forbidden("Fleet-wide policies are admin-only; assign the policy to a client or a site instead.");
                }
            }
            case "client" -> {
                if (r.clientId() == null || r.siteId() != null) {
                    throw ApiException.badRequest("Field 'client_id' is required for a client assignment (and 'site_id' is not allowed).");
                }
                if (!actor.scope().allowsClient(r.clientId()) || !store.clientExists(r.clientId())) {
                    throw ApiException.badRequest("Field 'client_id' names no client in your scope (" + r.clientId() + ").");
                }
                if (!wholeClient(actor, r.clientId())) {
                    throw ApiException.forbidden("A client-level policy reaches every site of the client, and some are outside your scope; assign it to your sites instead.");
                }
                client = r.clientId();
            }
            default -> {
                if (r.siteId() == null || r.clientId() != null) {
                    throw ApiException.badRequest("Field 'site_id' is required for a site assignment (and 'client_id' is not allowed).");
                }
                if (!actor.scope().allowsSite(r.siteId()) || !store.siteExists(r.siteId())) {
                    throw ApiException.badRequest("Field 'site_id' names no site in your scope (" + r.siteId() + ").");
                }
                site = r.siteId();
            }
        }
        String place = level.equals("fleet") ? "fleet" : level + ":" + (client != null ? client : site);
        if (p.assignments().stream().anyMatch(a -> a.placeKey().equals(place))) {
            throw ApiException.conflict("Policy '" + p.row().name() + "' is already assigned to " + place + ".");
        }
        PolicyStore.AssignmentRow row = new PolicyStore.AssignmentRow(UUID.randomUUID(), id, level, client, site, place, actor.name(), clock.instant());
        store.insertAssignment(row);
        audit.record(actor.name(), "policy.assign", id.toString(), p.row().name() + " -> " + place);
        changed();
        return assignment(row);
    }

    void unassign(Principal actor, UUID id, UUID assignmentId) {
        Policy p = find(actor, id);
        PolicyStore.AssignmentRow a = p.assignments().stream().filter(x -> x.id().equals(assignmentId)).findFirst()
                .filter(x -> inScope(actor, x)).orElseThrow(() -> ApiException.notFound("assignment", assignmentId));
        requireAllowed(actor, List.of(a), p.checkRows());
        store.deleteAssignment(id, assignmentId);
        audit.record(actor.name(), "policy.unassign", id.toString(), p.row().name() + " -/- " + a.placeKey());
        changed();
    }

    void exclude(Principal actor, UUID id, UUID agentId) {
        Policy p = find(actor, id);
        if (agentId == null) {
            throw ApiException.badRequest("Field 'agent_id' is required: the agent the policy should skip.");
        }
        checkAgent.accept(actor, agentId);
        if (!snapshot.agents().containsKey(agentId) && store.agents().stream().noneMatch(a -> a.id().equals(agentId))) {
            throw ApiException.notFound("agent", agentId);
        }
        if (p.excluded().contains(agentId)) {
            throw ApiException.conflict("Agent " + agentId + " is already excluded from policy '" + p.row().name() + "'.");
        }
        store.insertExclusion(new PolicyStore.ExclusionRow(id, agentId, actor.name(), clock.instant()));
        audit.record(actor.name(), "policy.exclude", id.toString(), p.row().name() + " excludes agent " + agentId);
        changed();
    }

    void include(Principal actor, UUID id, UUID agentId) {
        Policy p = find(actor, id);
        checkAgent.accept(actor, agentId);
        if (!store.deleteExclusion(id, agentId)) {
            throw ApiException.notFound("exclusion of agent", agentId);
        }
        audit.record(actor.name(), "policy.include", id.toString(), p.row().name() + " no longer excludes agent " + agentId);
        changed();
    }

    private void changed() {
        reload();
        onChange.run();
    }

    // --- reads ---

    List<PolicyView> list(Principal caller) {
        return snapshot.policies().keySet().stream().filter(id -> visible(caller, snapshot.policies().get(id))).map(id -> view(caller, id)).toList();
    }

    PolicyView get(Principal caller, UUID id) {
        find(caller, id);
        return view(caller, id);
    }

    AgentPolicies forAgent(Principal caller, UUID agentId) {
        PolicyStore.AgentPlace agent = store.agents().stream().filter(a -> a.id().equals(agentId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("agent", agentId));
        List<AppliedPolicy> applied = new ArrayList<>();
        List<AppliedPolicy> excluded = new ArrayList<>();
        for (Policy p : snapshot.policies().values()) {
            List<PolicyStore.AssignmentRow> sources = sources(p, agent);
            if (sources.isEmpty()) {
                continue;
            }
            PolicyStore.AssignmentRow best = sources.stream().max(java.util.Comparator.comparingInt(a -> Policies.LEVELS.indexOf(a.level()))).orElseThrow();
            List<AppliedTask> tasks = schedules.store().ofPolicy(p.row().id()).stream().map(t -> {
                var v = schedules.view(t);
                String timing = switch (t.kind()) {
                    case "cron" -> "cron " + t.cron() + " (" + t.timeZone() + ")";
                    case "interval" -> "every " + t.intervalSeconds() + " s";
                    default -> "at " + t.runAt();
                };
                return new AppliedTask(t.id(), t.name(), t.scriptId(), v.scriptName(), timing, t.nextRunAt());
            }).toList();
            AppliedPolicy ap = new AppliedPolicy(p.row().id(), p.row().name(), best.level(), best.clientId(), best.siteId(),
                    sources.stream().map(PolicyService::assignment).toList(), policyChecks(p), tasks);
            (p.excluded().contains(agentId) ? excluded : applied).add(ap);
        }
        return new AgentPolicies(agentId, applied, excluded);
    }

    private Policy find(Principal caller, UUID id) {
        Policy p = snapshot.policies().get(id);
        if (p == null || !visible(caller, p)) {
            throw ApiException.notFound("policy", id);
        }
        return p;
    }

    private boolean visible(Principal caller, Policy p) {
        return caller.scope().all() || p.assignments().isEmpty() || p.assignments().stream().anyMatch(a -> inScope(caller, a));
    }

    private static boolean inScope(Principal caller, PolicyStore.AssignmentRow a) {
        return switch (a.level()) {
            case "fleet" -> true;
            case "client" -> caller.scope().allowsClient(a.clientId());
            default -> caller.scope().allowsSite(a.siteId());
        };
    }

    private boolean wholeClient(Principal actor, UUID clientId) {
        return actor.scope().all() || store.sitesOfClient(clientId).stream().allMatch(actor.scope()::allowsSite);
    }

    private void requireAllowed(Principal actor, List<PolicyStore.AssignmentRow> assignments, List<PolicyStore.CheckRow> checks) {
        if (actor.role().includes(Role.ADMIN)) {
            return;
        }
        if (assignments.stream().anyMatch(a -> a.level().equals("fleet"))) {
            throw ApiException.forbidden("This policy is assigned to the whole fleet; fleet-wide policies are admin-only.");
        }
        if (checks.stream().anyMatch(c -> "script".equals(definition(c).kind()))) {
            throw ApiException.forbidden("Policies with script checks are admin-only: a script check runs a script as root/SYSTEM on every agent the policy reaches.");
        }
        for (PolicyStore.AssignmentRow a : assignments) {
            boolean ok = a.level().equals("client") ? wholeClient(actor, a.clientId()) : actor.scope().allowsSite(a.siteId());
            if (!ok) {
                throw ApiException.forbidden("This policy is assigned to " + a.placeKey() + ", which is not entirely in your scope; ask an admin.");
            }
        }
    }

    private PolicyView view(Principal caller, UUID id) {
        Policy p = snapshot.policies().get(id);
        List<Assignment> assignments = p.assignments().stream().filter(a -> inScope(caller, a)).map(PolicyService::assignment).toList();
        List<UUID> excluded = p.excluded().stream().filter(agent -> {
            PolicyStore.AgentPlace place = snapshot.agents().get(agent);
            return caller.scope().all() || (place != null && caller.scope().allowsSite(place.siteId()));
        }).sorted().toList();
        return new PolicyView(id, p.row().name(), p.row().description(), policyChecks(p),
                schedules.store().ofPolicy(id).stream().map(schedules::view).toList(), assignments, excluded, p.row().createdBy(),
                p.row().createdAt(), p.row().updatedAt());
    }

    private static List<PolicyCheck> policyChecks(Policy p) {
        List<PolicyCheck> out = new ArrayList<>();
        for (int i = 0; i < p.checks().size(); i++) {
            Check c = p.checks().get(i);
            out.add(new PolicyCheck(c.key(), c.kind(), c.severity(), definition(p.checkRows().get(i))));
        }
        return out;
    }

    private static Assignment assignment(PolicyStore.AssignmentRow a) {
        return new Assignment(a.id(), a.level(), a.clientId(), a.siteId(), a.createdBy(), a.createdAt());
    }

    // --- validation ---

    private static List<PolicyStore.CheckRow> checks(UUID policyId, List<CheckRequest> requests, Principal actor, Instant now) {
        if (requests == null) {
            return List.of();
        }
        if (requests.size() > 100) {
            throw ApiException.badRequest("Field 'checks' has " + requests.size() + " entries; at most 100.");
        }
        List<PolicyStore.CheckRow> out = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            CheckRequest r = requests.get(i);
            if (r == null) {
                throw ApiException.badRequest("Field 'checks[" + i + "]' is null.");
            }
            Check c;
            try {
                c = MonitoringModule.policyCheck(policyId, r, actor.name(), now);
            } catch (ApiException e) {
                throw new ApiException(e.status(), e.code(), "checks[" + i + "]: " + e.getMessage());
            }
            if (!keys.add(c.key())) {
                throw ApiException.badRequest("Field 'checks[" + i + "].key' repeats '" + c.key() + "'; keys are unique within a policy.");
            }
            out.add(new PolicyStore.CheckRow(UUID.randomUUID(), policyId, c.key(), ScriptService.json(r)));
        }
        return out;
    }

    private List<ScheduleStore.ScheduleRow> tasks(Principal actor, UUID policyId, List<Task> tasks) {
        if (tasks == null) {
            return List.of();
        }
        if (tasks.size() > 50) {
            throw ApiException.badRequest("Field 'tasks' has " + tasks.size() + " entries; at most 50.");
        }
        List<ScheduleStore.ScheduleRow> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            if (t == null) {
                throw ApiException.badRequest("Field 'tasks[" + i + "]' is null.");
            }
            try {
                out.add(schedules.validateTask(actor, policyId, new ScheduleRequest(t.name(), t.scriptId(), t.scriptVersion(), t.parameters(), null,
                        null, t.cron(), t.intervalSeconds(), t.at(), t.timeZone(), t.skipIfMissed(), t.enabled())));
            } catch (ApiException e) {
                throw new ApiException(e.status(), e.code(), "tasks[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    static CheckRequest definition(PolicyStore.CheckRow row) {
        try {
            return Json.mapper().readValue(row.definition(), CheckRequest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable check " + row.checkKey() + " of policy " + row.policyId(), e);
        }
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("Field 'name' is required.");
        }
        String n = name.strip();
        if (n.length() > 200 || n.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("Field 'name' must be plain text of at most 200 characters.");
        }
        return n;
    }

    private static String description(String d) {
        if (d == null || d.isBlank()) {
            return null;
        }
        if (d.length() > 4000) {
            throw ApiException.badRequest("Field 'description' is longer than 4000 characters.");
        }
        return d.strip();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
