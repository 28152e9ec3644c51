package com.gururmm.server.automation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Scripts;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.RunRequest;
import com.gururmm.protocol.api.Scripts.RunSubmitted;
import com.gururmm.protocol.api.Scripts.RunView;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.protocol.api.Scripts.VersionSummary;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.command.CommandService;
import com.gururmm.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiPredicate;
import org.jdbi.v3.core.Handle;

/**
 * The script library: validation, versions (every edit that changes something is a new
 * version; old ones stay readable), and runs. A run goes through the bulk path
 * ({@link BatchService#insert}): the batch, its commands and the run record (script id,
 * version, parameter values) commit together, then the commands are delivered. Parameters
 * travel as environment variables ({@link ScriptParameters}), never inside the script text.
 *
 * <p>Anyone signed in reads the library (it names no tenant); technicians write it. A run needs
 * technician and reaches only agents in the caller's scope (the bulk path's rule).
 */
public final class ScriptService {
    static final int MAX_NAME = 200;
    private static final TypeReference<List<Parameter>> PARAMETER_LIST = new TypeReference<>() {
    };

    private final ScriptStore store;
    private final BatchService batches;
    private final AuditLog audit;
    private final Clock clock;
    private final BiPredicate<Principal, UUID> batchVisible;

    ScriptService(ScriptStore store, BatchService batches, AuditLog audit, Clock clock, BiPredicate<Principal, UUID> batchVisible) {
        this.store = store;
        this.batches = batches;
        this.audit = audit;
        this.clock = clock;
        this.batchVisible = batchVisible;
    }

    /** A version with its parameters parsed: what a run or a schedule needs. */
    record Resolved(ScriptStore.VersionRow row, List<Parameter> parameters, List<String> supportedOs) {
        UUID scriptId() {
            return row.scriptId();
        }

        int version() {
            return row.version();
        }
    }

    ScriptView create(Principal actor, ScriptRequest request) {
        if (request.name() == null) {
            throw ApiException.badRequest("Field 'name' is required.");
        }
        ScriptStore.VersionRow version = validate(UUID.randomUUID(), 1, request, actor, clock.instant());
        String key = key(version.name());
        if (store.findByName(key).isPresent()) {
            throw ApiException.conflict("A script named '" + version.name() + "' exists; change it (PATCH /api/scripts/{id}) or choose another 'name'.");
        }
        Instant now = version.createdAt();
        store.jdbi().useTransaction(h -> {
            store.insertScript(h, new ScriptStore.ScriptRow(version.scriptId(), version.name(), key, 1, actor.name(), now, actor.name(), now, null));
            store.insertVersion(h, version);
        });
        audit.record(actor.name(), "script.create", version.scriptId().toString(), version.name() + " v1 (" + version.commandType() + ")");
        return view(store.find(version.scriptId()).orElseThrow(), version);
    }

    /** Null fields keep their value; a change makes a new version, no change returns the current one. */
    ScriptView update(Principal actor, UUID id, ScriptRequest r) {
        ScriptStore.ScriptRow script = require(id);
        ScriptStore.VersionRow old = store.version(id, script.currentVersion()).orElseThrow();
        ScriptRequest merged = new ScriptRequest(or(r.name(), old.name()), or(r.description(), old.description()),
                or(r.category(), old.category()), or(r.commandType(), old.commandType()), or(r.command(), old.body()),
                r.parameters() != null ? r.parameters() : parameters(old), or(r.timeoutSeconds(), old.timeoutSeconds()),
                or(r.context(), old.context()), r.supportedOs() != null ? r.supportedOs() : os(old.supportedOs()));
        ScriptStore.VersionRow next = validate(id, old.version() + 1, merged, actor, clock.instant());
        if (sameContent(old, next)) {
            return view(script, old);
        }
        String key = key(next.name());
        store.findByName(key).filter(other -> !other.id().equals(id)).ifPresent(other -> {
            throw ApiException.conflict("Another script is named '" + next.name() + "'; choose another 'name'.");
        });
        boolean moved = store.jdbi().inTransaction(h -> {
            if (!store.advance(h, id, old.version(), next.version(), next.name(), key, actor.name(), next.createdAt())) {
                return false;
            }
            store.insertVersion(h, next);
            return true;
        });
        if (!moved) {
            throw ApiException.conflict("Script " + id + " changed while this edit was made (it is no longer at version " + old.version()
                    + "); read it again and repeat the change.");
        }
        audit.record(actor.name(), "script.update", id.toString(), next.name() + " v" + next.version() + changes(old, next));
        return view(store.find(id).orElseThrow(), next);
    }

    void delete(Principal actor, UUID id, List<String> usedBy) {
        ScriptStore.ScriptRow script = require(id);
        if (!usedBy.isEmpty()) {
            throw ApiException.conflict("Script '" + script.name() + "' is used by " + usedBy.size() + " schedule(s) or policy task(s) "
                    + usedBy.subList(0, Math.min(5, usedBy.size())) + "; delete or change those first.");
        }
        if (store.markDeleted(id, actor.name(), clock.instant())) {
            audit.record(actor.name(), "script.delete", id.toString(), script.name());
        }
    }

    ScriptView get(UUID id, Integer version) {
        ScriptStore.ScriptRow script = require(id);
        int v = version == null ? script.currentVersion() : version;
        ScriptStore.VersionRow row = store.version(id, v).orElseThrow(() -> new ApiException(404, "not_found",
                "Script " + id + " has no version " + v + "; it is at version " + script.currentVersion() + "."));
        return view(script, row);
    }

    List<ScriptView> list(String category, String query) {
        String q = query == null ? null : query.toLowerCase(Locale.ROOT);
        List<ScriptView> out = new ArrayList<>();
        for (ScriptStore.VersionRow v : store.current()) {
            if (category != null && !category.equalsIgnoreCase(Objects.toString(v.category(), ""))) {
                continue;
            }
            if (q != null && !v.name().toLowerCase(Locale.ROOT).contains(q)
                    && !Objects.toString(v.description(), "").toLowerCase(Locale.ROOT).contains(q)) {
                continue;
            }
            store.find(v.scriptId()).ifPresent(s -> out.add(view(s, v)));
        }
        return out;
    }

    List<VersionSummary> versions(UUID id) {
        require(id);
        return store.versions(id).stream().map(v -> new VersionSummary(v.version(), v.name(), v.createdBy(), v.createdAt())).toList();
    }

    /** A live script's version (its current one when {@code version} is null), parsed. */
    Resolved resolve(UUID id, Integer version, String field) {
        ScriptStore.ScriptRow script = store.find(id).orElseThrow(() -> ApiException.badRequest(
                "Field '" + field + "' names no script (" + id + ")."));
        int v = version == null ? script.currentVersion() : version;
        ScriptStore.VersionRow row = store.version(id, v).orElseThrow(() -> ApiException.badRequest(
                "Field 'script_version': script '" + script.name() + "' has no version " + v + " (it is at " + script.currentVersion() + ")."));
        return resolved(row);
    }

    /** A pinned version, even of a script deleted since (a schedule's history still names it). */
    java.util.Optional<Resolved> pinned(UUID id, int version) {
        return store.findAny(id).filter(s -> s.deletedAt() == null).flatMap(s -> store.version(id, version)).map(this::resolved);
    }

    private Resolved resolved(ScriptStore.VersionRow row) {
        return new Resolved(row, parameters(row), os(row.supportedOs()));
    }

    RunSubmitted run(Principal actor, UUID id, RunRequest request) {
        require(id);
        Resolved script = resolve(id, null, "id");
        Map<String, String> values = ScriptParameters.values(script.parameters(), request.parameters());
        String context = request.context() == null ? script.row().context() : request.context();
        Integer timeout = request.timeoutSeconds() == null ? script.row().timeoutSeconds() : request.timeoutSeconds();
        BatchService.Prepared prepared = batches.prepare(actor, new BatchRequest(request.agentIds(), request.filter(),
                script.row().commandType(), script.row().body(), context, timeout));
        // Refused before anything runs: an agent the script does not support (by id or by filter).
        for (BatchService.Target t : prepared.targets()) {
            String refused = osRefusal(script, t);
            if (refused != null) {
                throw ApiException.badRequest("Field 'supported_os': " + refused + " Narrow the target (e.g. filter by 'os').");
            }
        }
        BatchService.Created created = store.jdbi().inTransaction(h -> launch(h, actor, script, prepared, values, null, null));
        batches.afterCommit(created);
        audit.record(actor.name(), "script.run", id.toString(), "v" + script.version() + " batch=" + created.batchId()
                + " agents=" + created.agentCount() + " target=" + prepared.target() + " parameters=" + values.keySet());
        return new RunSubmitted(created.batchId(), created.agentCount(), id, script.version());
    }

    /**
     * Stores a run of {@code script} on {@code h} (the caller's transaction): the batch with one
     * queued command per target that the script supports, and the run record.
     */
    BatchService.Created launch(Handle h, Principal actor, Resolved script, BatchService.Prepared prepared, Map<String, String> values,
                                UUID scheduleId, Instant expiresAt) {
        String env = values.isEmpty() ? null : json(ScriptParameters.environment(values));
        BatchService.Created created = batches.insert(h, actor, prepared, env, expiresAt, t -> osRefusal(script, t));
        store.insertRun(h, new ScriptStore.RunRow(created.batchId(), script.scriptId(), script.version(), json(values), scheduleId,
                actor.name(), clock.instant()));
        return created;
    }

    /** Why {@code script} cannot run on {@code target}'s OS, or null. */
    static String osRefusal(Resolved script, BatchService.Target target) {
        if (script.supportedOs().isEmpty() || script.supportedOs().contains(target.os())) {
            return null;
        }
        return "script '" + script.row().name() + "' supports " + String.join(", ", script.supportedOs()) + "; agent " + target.id()
                + " runs " + target.os() + ".";
    }

    List<RunView> runs(Principal caller, UUID id, int limit, java.util.function.Function<UUID, BatchView> batch) {
        require(id);
        List<RunView> out = new ArrayList<>();
        for (ScriptStore.RunRow run : store.runs(id, limit)) {
            if (!batchVisible.test(caller, run.batchId())) {
                continue;
            }
            BatchView b = batch.apply(run.batchId());
            out.add(new RunView(run.batchId(), run.scriptId(), run.scriptVersion(), readValues(run.parameters()), run.scheduleId(),
                    run.createdBy(), run.createdAt(), b.agentCount(), b.counts(), b.done()));
        }
        return out;
    }

    ScriptStore.ScriptRow require(UUID id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("script", id));
    }

    java.util.Optional<ScriptStore.ScriptRow> byName(String name) {
        return store.findByName(key(name));
    }

    // --- validation ---

    private ScriptStore.VersionRow validate(UUID id, int version, ScriptRequest r, Principal actor, Instant now) {
        String name = text(r.name(), "name", MAX_NAME, true);
        String description = text(r.description(), "description", 4000, false);
        String category = text(r.category(), "category", 100, false);
        CommandType type = CommandType.parse(r.commandType()).orElseThrow(() -> ApiException.badRequest(r.commandType() == null
                ? "Field 'command_type' is required; one of " + CommandType.allowedValues() + "."
                : "Field 'command_type' is '" + r.commandType() + "'; use one of " + CommandType.allowedValues() + "."));
        if (r.command() == null || r.command().isBlank()) {
            throw ApiException.badRequest("Field 'command' is required: the script's text.");
        }
        int bytes = r.command().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > CommandService.MAX_SCRIPT_BYTES) {
            throw ApiException.tooLarge("Field 'command' is " + bytes + " bytes; the limit is " + CommandService.MAX_SCRIPT_BYTES + " bytes (1 MiB).");
        }
        int timeout = r.timeoutSeconds() == null ? CommandService.DEFAULT_TIMEOUT_SECONDS : r.timeoutSeconds();
        if (timeout < 1 || timeout > CommandService.MAX_TIMEOUT_SECONDS) {
            throw ApiException.badRequest("Field 'timeout_seconds' must be between 1 and " + CommandService.MAX_TIMEOUT_SECONDS + "; got " + timeout + ".");
        }
        String context = r.context() == null ? ExecutionContext.SYSTEM.wireName() : ExecutionContext.parse(r.context())
                .map(ExecutionContext::wireName).orElseThrow(() -> ApiException.badRequest(
                        "Field 'context' is '" + r.context() + "'; use system or user_session."));
        List<String> os = supportedOs(r.supportedOs());
        if (type == CommandType.CMD && (os.isEmpty() || os.stream().anyMatch(o -> !o.equals("windows")))) {
            if (!os.isEmpty()) {
                throw ApiException.badRequest("Field 'supported_os': command_type cmd runs only on windows; got " + os + ".");
            }
            os = List.of("windows");
        }
        List<Parameter> parameters = ScriptParameters.define(r.parameters());
        return new ScriptStore.VersionRow(id, version, name, description, category, type.wireName(), r.command(), json(parameters),
                timeout, context, os.isEmpty() ? null : String.join(",", os), actor.name(), now);
    }

    private static List<String> supportedOs(List<String> given) {
        if (given == null) {
            return List.of();
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String os : given) {
            if (os == null || !Scripts.OPERATING_SYSTEMS.contains(os)) {
                throw ApiException.badRequest("Field 'supported_os' lists '" + os + "'; use " + Scripts.OPERATING_SYSTEMS + ".");
            }
            out.add(os);
        }
        return List.copyOf(out);
    }

    private static String text(String value, String field, int max, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw ApiException.badRequest("Field '" + field + "' is required.");
            }
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > max) {
            throw ApiException.badRequest("Field '" + field + "' is longer than " + max + " characters.");
        }
        if (!field.equals("description") && trimmed.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("Field '" + field + "' contains a control character (a newline, a tab...); use plain text.");
        }
        return trimmed;
    }

    static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    private static boolean sameContent(ScriptStore.VersionRow a, ScriptStore.VersionRow b) {
        return a.name().equals(b.name()) && Objects.equals(a.description(), b.description()) && Objects.equals(a.category(), b.category())
                && a.commandType().equals(b.commandType()) && a.body().equals(b.body()) && a.parameters().equals(b.parameters())
                && a.timeoutSeconds() == b.timeoutSeconds() && a.context().equals(b.context()) && Objects.equals(a.supportedOs(), b.supportedOs());
    }

    private static String changes(ScriptStore.VersionRow a, ScriptStore.VersionRow b) {
        List<String> changed = new ArrayList<>();
        if (!a.name().equals(b.name())) {
            changed.add("name");
        }
        if (!a.body().equals(b.body())) {
            changed.add("command");
        }
        if (!a.parameters().equals(b.parameters())) {
            changed.add("parameters");
        }
        if (!a.commandType().equals(b.commandType())) {
            changed.add("command_type");
        }
        if (a.timeoutSeconds() != b.timeoutSeconds() || !a.context().equals(b.context()) || !Objects.equals(a.supportedOs(), b.supportedOs())
                || !Objects.equals(a.description(), b.description()) || !Objects.equals(a.category(), b.category())) {
            changed.add("settings");
        }
        return " changed: " + String.join(", ", changed);
    }

    // --- views and JSON ---

    ScriptView view(ScriptStore.ScriptRow s, ScriptStore.VersionRow v) {
        return new ScriptView(s.id(), v.name(), v.description(), v.category(), v.commandType(), v.body(), parameters(v), v.timeoutSeconds(),
                v.context(), os(v.supportedOs()), v.version(), s.createdBy(), s.createdAt(), v.createdBy(), v.createdAt());
    }

    static List<Parameter> parameters(ScriptStore.VersionRow v) {
        try {
            return Json.mapper().readValue(v.parameters(), PARAMETER_LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable parameters of script " + v.scriptId() + " v" + v.version(), e);
        }
    }

    static List<String> os(String stored) {
        return stored == null || stored.isBlank() ? List.of() : Arrays.asList(stored.split(","));
    }

    static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> readValues(String json) {
        try {
            return Json.mapper().readValue(json, new TypeReference<java.util.TreeMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable parameter values", e);
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
