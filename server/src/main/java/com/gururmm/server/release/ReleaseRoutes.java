package com.gururmm.server.release;

import com.gururmm.protocol.api.Releases.ChannelRequest;
import com.gururmm.protocol.api.Releases.CleanupRequest;
import com.gururmm.protocol.api.Releases.RolloutRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import io.javalin.config.RoutesConfig;

/**
 * {@code /api/releases}: reading is for every signed-in role, every change is admin only.
 * Publishing takes the build as the raw request body, so a pipeline can {@code curl --data-binary}
 * it without building a multipart form (see docs/RELEASES.md).
 */
public final class ReleaseRoutes {
    private final ReleaseService releases;

    ReleaseRoutes(ReleaseService releases) {
        this.releases = releases;
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/releases", ctx -> {
            Access.require(ctx, Role.VIEWER);
            ctx.json(releases.list());
        });
        routes.get("/api/releases/latest", ctx -> {
            Access.require(ctx, Role.VIEWER);
            ctx.json(releases.latest(ctx.queryParam("os"), ctx.queryParam("arch"), ctx.queryParam("channel")));
        });
        routes.get("/api/releases/signing-key", ctx -> {
            Access.require(ctx, Role.VIEWER);
            ctx.json(releases.signingKey());
        });
        routes.post("/api/releases", ctx -> {
            Principal admin = Access.require(ctx, Role.ADMIN);
            ctx.status(201).json(releases.publish(admin, ctx.queryParam("file"), ctx.queryParam("channel"), ctx.queryParam("sha256"),
                    ctx.bodyInputStream(), ctx.req().getContentLengthLong()));
        });
        routes.post("/api/releases/cleanup", ctx -> {
            Principal admin = Access.require(ctx, Role.ADMIN);
            ctx.json(releases.cleanup(admin, Bodies.readOptional(ctx, CleanupRequest.class, new CleanupRequest(null, null, null))));
        });
        routes.post("/api/releases/{file}/channel", ctx -> {
            Principal admin = Access.require(ctx, Role.ADMIN);
            ctx.json(releases.setChannel(admin, ctx.pathParam("file"), Bodies.read(ctx, ChannelRequest.class).channel()));
        });
        routes.post("/api/releases/{file}/rollout", ctx -> {
            Principal admin = Access.require(ctx, Role.ADMIN);
            ctx.json(releases.setRollout(admin, ctx.pathParam("file"), Bodies.read(ctx, RolloutRequest.class)));
        });
        routes.post("/api/releases/{file}/sign", ctx -> {
            Principal admin = Access.require(ctx, Role.ADMIN);
            ctx.json(releases.sign(admin, ctx.pathParam("file")));
        });
    }
}
