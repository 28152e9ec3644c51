package com.gururmm.server.automation;

import com.gururmm.protocol.api.Scripts.RunRequest;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code /api/scripts}: the library (every role reads; technicians write) and runs (technician,
 * targets within scope). Import/export speak the plain-file format of {@link ScriptFiles}.
 */
final class ScriptRoutes {
    private final ScriptService scripts;
    private final BatchService batches;
    private final Function<UUID, List<String>> usedBy;

    ScriptRoutes(ScriptService scripts, BatchService batches, Function<UUID, List<String>> usedBy) {
        this.scripts = scripts;
        this.batches = batches;
        this.usedBy = usedBy;
    }

    void register(RouteTable routes) {
        routes.post("/api/scripts", Rule.role(Role.TECHNICIAN), "Save a script in the library (version 1)", ctx ->
                ctx.status(201).json(scripts.create(Access.principal(ctx), Bodies.read(ctx, ScriptRequest.class))));
        routes.get("/api/scripts", Rule.role(Role.VIEWER), "The script library, current versions (filters: category, q)", ctx ->
                ctx.json(scripts.list(Bodies.query(ctx, "category"), Bodies.query(ctx, "q"))));
        routes.post("/api/scripts/import", Rule.role(Role.TECHNICIAN),
                "Import a script file (front matter + text): a new script, or a new version of the script with that name", ctx -> {
                    var result = importFile(ctx);
                    ctx.status(result.version() == 1 ? 201 : 200).json(result);
                });
        routes.get("/api/scripts/{id}", Rule.role(Role.VIEWER), "One script (current version, or ?version=N)", ctx ->
                ctx.json(scripts.get(Bodies.uuidParam(ctx, "id"), version(ctx))));
        routes.patch("/api/scripts/{id}", Rule.role(Role.TECHNICIAN), "Change a script: a new version (null fields stay as they are)", ctx ->
                ctx.json(scripts.update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, ScriptRequest.class))));
        routes.delete("/api/scripts/{id}", Rule.role(Role.TECHNICIAN), "Delete a script (its versions and runs stay in the history)", ctx -> {
            UUID id = Bodies.uuidParam(ctx, "id");
            scripts.delete(Access.principal(ctx), id, usedBy.apply(id));
            ctx.status(204);
        });
        routes.get("/api/scripts/{id}/versions", Rule.role(Role.VIEWER), "Every version of a script, newest first", ctx ->
                ctx.json(scripts.versions(Bodies.uuidParam(ctx, "id"))));
        routes.get("/api/scripts/{id}/export", Rule.role(Role.VIEWER), "A script as a plain file (front matter + text), for git", ctx -> {
            ScriptView view = scripts.get(Bodies.uuidParam(ctx, "id"), version(ctx));
            ctx.header("Content-Disposition", "attachment; filename=\"" + ScriptFiles.fileName(view) + "\"");
            ctx.contentType("text/plain; charset=utf-8").result(ScriptFiles.export(view));
        });
        routes.post("/api/scripts/{id}/run", Rule.role(Role.TECHNICIAN),
                "Run a script's current version on agents, a site, a client or a filter (a batch)", ctx ->
                        ctx.status(201).json(scripts.run(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, RunRequest.class))));
        routes.get("/api/scripts/{id}/runs", Rule.role(Role.VIEWER), "A script's runs (in your scope), newest first, with progress", ctx ->
                ctx.json(scripts.runs(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), limit(ctx), b -> batches.get(b, false))));
    }

    private ScriptView importFile(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length > ScriptFiles.MAX_FILE_BYTES) {
            throw ApiException.tooLarge("The script file is " + bytes.length + " bytes; the limit is " + ScriptFiles.MAX_FILE_BYTES + ".");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0) {
            throw ApiException.badRequest("The script file contains a NUL character (U+0000); a script is text.");
        }
        ScriptRequest request = ScriptFiles.parse(text);
        var actor = Access.principal(ctx);
        if (request.name() == null || request.name().isBlank()) {
            throw ApiException.badRequest("Front matter field 'name' is required.");
        }
        return scripts.byName(request.name())
                .map(existing -> scripts.update(actor, existing.id(), request))
                .orElseGet(() -> scripts.create(actor, request));
    }

    private static Integer version(Context ctx) {
        String raw = Bodies.query(ctx, "version");
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // the 400 below
        }
        throw ApiException.badRequest("Query parameter 'version' must be a version number (1, 2, ...); got '" + Bodies.truncate(raw) + "'.");
    }

    static int limit(Context ctx) {
        String raw = Bodies.query(ctx, "limit");
        if (raw == null || raw.isBlank()) {
            return 50;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= 1 && v <= 500) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // the 400 below
        }
        throw ApiException.badRequest("Query parameter 'limit' must be between 1 and 500; got '" + Bodies.truncate(raw) + "'.");
    }
}
