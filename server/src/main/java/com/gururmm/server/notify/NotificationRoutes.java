package com.gururmm.server.notify;

import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.RuleRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.util.UUID;

/**
 * {@code /api/notification-channels}, {@code /api/notification-rules},
 * {@code /api/notification-deliveries}. Channels are admin-only, reads included: a Slack or
 * Discord webhook URL is itself a credential. Rules are readable by every signed-in user (they
 * hold no secret); changing them is admin-only. The delivery log is admin-only: a delivery (a
 * digest above all) spans alerts of many sites, so it cannot be cut to a scoped caller's sites.
 */
final class NotificationRoutes {
    private final ChannelService channels;
    private final RuleService rules;
    private final DeliveryQueries deliveries;

    NotificationRoutes(ChannelService channels, RuleService rules, DeliveryQueries deliveries) {
        this.channels = channels;
        this.rules = rules;
        this.deliveries = deliveries;
    }

    void register(RouteTable routes) {
        Rule admin = Rule.role(Role.ADMIN);
        routes.post("/api/notification-channels", admin, "Create a notification channel (webhook or e-mail); the webhook secret is shown once",
                ctx -> ctx.status(201).json(channels.create(Access.principal(ctx), Bodies.read(ctx, ChannelRequest.class))));
        routes.get("/api/notification-channels", admin, "List notification channels",
                ctx -> ctx.json(channels.list()));
        routes.get("/api/notification-channels/{id}", admin, "Show a notification channel",
                ctx -> ctx.json(channels.get(Bodies.uuidParam(ctx, "id"))));
        routes.patch("/api/notification-channels/{id}", admin, "Change a notification channel (rotate_secret mints a new webhook secret)",
                ctx -> ctx.json(channels.update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, ChannelRequest.class))));
        routes.delete("/api/notification-channels/{id}", admin, "Delete a notification channel and its delivery log", ctx -> {
            channels.delete(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
        routes.post("/api/notification-channels/{id}/test", admin, "Send a test message now and return the attempt",
                ctx -> ctx.json(channels.test(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));

        routes.post("/api/notification-rules", admin, "Create a notification routing rule",
                ctx -> ctx.status(201).json(rules.create(Access.principal(ctx), Bodies.read(ctx, RuleRequest.class))));
        // Admin-only like the rest of notifications: a rule names sites of every client (a scoped user would see others').
        routes.get("/api/notification-rules", admin, "List notification routing rules",
                ctx -> ctx.json(rules.list()));
        routes.patch("/api/notification-rules/{id}", admin, "Change a notification routing rule",
                ctx -> ctx.json(rules.update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, RuleRequest.class))));
        routes.delete("/api/notification-rules/{id}", admin, "Delete a notification routing rule", ctx -> {
            rules.delete(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });

        routes.get("/api/notification-deliveries", admin,
                "Delivery log, newest first (?channel=&alert=&status=pending|delivered|failed&limit=)", ctx -> {
                    String status = Bodies.query(ctx, "status");
                    if (status != null && !status.matches("pending|delivered|failed")) {
                        throw ApiException.badRequest("'status' must be pending, delivered or failed; got '" + Bodies.truncate(status) + "'.");
                    }
                    ctx.json(deliveries.list(uuid(Bodies.query(ctx, "channel"), "channel"), uuid(Bodies.query(ctx, "alert"), "alert"),
                            status, Bodies.limit(ctx)));
                });
        routes.get("/api/notification-deliveries/{id}", admin, "One delivery with its attempt log",
                ctx -> ctx.json(deliveries.get(Bodies.uuidParam(ctx, "id"))));
    }

    private static UUID uuid(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + name + "' must be a UUID; got '" + Bodies.truncate(value) + "'.");
        }
    }
}
