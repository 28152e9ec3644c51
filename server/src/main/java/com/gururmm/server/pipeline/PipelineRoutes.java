package com.gururmm.server.pipeline;

import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/**
 * {@code POST /api/pipeline/webhook} (no session: the forge signs the body) and the build views,
 * admin only: a build log shows the repository's insides.
 */
public final class PipelineRoutes {
    private final PipelineService pipeline;

    public PipelineRoutes(PipelineService pipeline) {
        this.pipeline = pipeline;
    }

    public void register(RouteTable routes) {
        routes.post("/api/pipeline/webhook", Rule.open("the forge signs the body (HMAC-SHA256 with the pipeline's secret); checked first"),
                "A push webhook (GitHub or Gitea style): queues a build of the pushed commit", ctx -> {
            var answer = pipeline.webhook(ctx::header, ctx.bodyAsBytes());
            ctx.status(answer.buildId() != null ? 202 : 200).json(answer);
        });
        routes.get("/api/builds", Rule.role(Role.ADMIN), "Pipeline builds, newest first (?limit=, default 100)", ctx -> {
            ctx.json(pipeline.list(Bodies.limit(ctx)));
        });
        routes.get("/api/builds/{id}", Rule.role(Role.ADMIN), "One build with its manifest and the end of its log", ctx -> {
            ctx.json(pipeline.get(Bodies.uuidParam(ctx, "id")));
        });
    }
}
