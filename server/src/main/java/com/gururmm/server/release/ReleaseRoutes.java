package com.gururmm.server.release;

import com.gururmm.protocol.api.Releases.ChannelRequest;
import com.gururmm.protocol.api.Releases.CleanupRequest;
import com.gururmm.protocol.api.Releases.RolloutRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.http.UploadBody;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

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

    public void register(RouteTable routes) {
        routes.get("/api/releases", Rule.role(Role.VIEWER), "Every agent build in the downloads dir (agent counts: the caller's scope)", ctx -> {
            ctx.json(releases.list(com.gururmm.server.auth.Access.principal(ctx).scope()));
        });
        routes.get("/api/releases/latest", Rule.role(Role.VIEWER), "The build an agent of a platform and channel is offered", ctx -> {
            ctx.json(releases.latest(ctx.queryParam("os"), ctx.queryParam("arch"), ctx.queryParam("channel"),
                    com.gururmm.server.auth.Access.principal(ctx).scope()));
        });
        routes.get("/api/releases/signing-key", Rule.role(Role.VIEWER), "The release signing public key", ctx -> {
            ctx.json(releases.signingKey());
        });
        routes.post("/api/releases", Rule.role(Role.ADMIN), "Publish an agent build (raw body)", ctx -> {
            Principal admin = Access.principal(ctx);
            // The body is opened only after the name, channel, hash and size are checked (Expect: 100-continue).
            UploadBody body = new UploadBody(ctx);
            try {
                ctx.status(201).json(releases.publish(admin, ctx.queryParam("file"), ctx.queryParam("channel"), ctx.queryParam("sha256"),
                        body, ctx.req().getContentLengthLong()));
            } catch (RuntimeException e) {
                body.discardUnread();
                throw e;
            }
        });
        routes.post("/api/releases/cleanup", Rule.role(Role.ADMIN), "Remove old builds (never the newest stable)", ctx -> {
            Principal admin = Access.principal(ctx);
            ctx.json(releases.cleanup(admin, Bodies.readOptional(ctx, CleanupRequest.class, new CleanupRequest(null, null, null))));
        });
        routes.post("/api/releases/{file}/channel", Rule.role(Role.ADMIN), "Move a build to stable or beta", ctx -> {
            Principal admin = Access.principal(ctx);
            ctx.json(releases.setChannel(admin, ctx.pathParam("file"), Bodies.read(ctx, ChannelRequest.class).channel()));
        });
        routes.post("/api/releases/{file}/rollout", Rule.role(Role.ADMIN), "Set a build's staged rollout", ctx -> {
            Principal admin = Access.principal(ctx);
            ctx.json(releases.setRollout(admin, ctx.pathParam("file"), Bodies.read(ctx, RolloutRequest.class)));
        });
        routes.post("/api/releases/{file}/sign", Rule.role(Role.ADMIN), "Sign a build with the server's release key", ctx -> {
            Principal admin = Access.principal(ctx);
            ctx.json(releases.sign(admin, ctx.pathParam("file")));
        });
    }
}
