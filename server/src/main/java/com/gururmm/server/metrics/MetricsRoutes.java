package com.gururmm.server.metrics;

import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * {@code GET /api/agents/{id}/metrics?from=&to=&step=} (viewer and up). {@code from} and {@code to}
 * are epoch seconds or ISO-8601 instants (default: the last hour); {@code step} is seconds
 * (default: the smallest of 60, 300, 900, 3600, 21600, 86400 that gives at most 1000 points).
 */
public final class MetricsRoutes {
    static final long MAX_STEP = 7 * 86_400;
    private static final List<Long> DEFAULT_STEPS = List.of(60L, 300L, 900L, 3600L, 21_600L, 86_400L);

    private final MetricsService metrics;
    private final Predicate<UUID> agentExists;
    private final Clock clock;

    public MetricsRoutes(MetricsService metrics, Predicate<UUID> agentExists, Clock clock) {
        this.metrics = metrics;
        this.agentExists = agentExists;
        this.clock = clock;
    }

    public void register(RouteTable routes) {
        routes.get("/api/agents/{id}/metrics", Rule.role(Role.VIEWER).onAgent("id"),
                "Metrics series of one agent (from, to: epoch seconds or ISO-8601; step: seconds), as aligned arrays", ctx -> {
                    UUID id = Bodies.uuidParam(ctx, "id");
                    Range range = range(ctx, clock.instant().getEpochSecond());
                    if (!agentExists.test(id)) {
                        throw ApiException.notFound("agent", id);
                    }
                    ctx.json(metrics.query(id, range.from(), range.to(), range.step()));
                });
    }

    record Range(long from, long to, long step) {
    }

    static Range range(Context ctx, long now) {
        String rawTo = Bodies.query(ctx, "to");
        String rawFrom = Bodies.query(ctx, "from");
        String rawStep = Bodies.query(ctx, "step");
        long to = rawTo == null ? now + 1 : instant("to", rawTo);
        long from = rawFrom == null ? to - 3600 : instant("from", rawFrom);
        if (from >= to) {
            throw ApiException.badRequest("'from' (" + from + ") must be before 'to' (" + to + ").");
        }
        long span = to - from;
        long step;
        if (rawStep == null) {
            step = DEFAULT_STEPS.stream().filter(s -> span / s <= 1000).findFirst().orElse(MAX_STEP);
        } else {
            try {
                step = Long.parseLong(rawStep.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("'step' must be a whole number of seconds; got '" + Bodies.truncate(rawStep) + "'.");
            }
            if (step < 1 || step > MAX_STEP) {
                throw ApiException.badRequest("'step' must be between 1 and " + MAX_STEP + " seconds; got " + step + ".");
            }
        }
        long aligned = Math.floorDiv(from, step) * step;
        long points = (to - aligned + step - 1) / step;
        if (points > MetricsService.MAX_POINTS) {
            long fits = (span + MetricsService.MAX_POINTS - 1) / MetricsService.MAX_POINTS + 1;
            throw ApiException.badRequest("The range from " + from + " to " + to + " at 'step' " + step + " s is " + points
                    + " points, more than " + MetricsService.MAX_POINTS + "; use a step of at least " + fits + " s or a shorter range.");
        }
        return new Range(from, to, step);
    }

    /** Epoch seconds, or an ISO-8601 instant; bounded to years 1970..9999 so the arithmetic cannot overflow. */
    private static long instant(String field, String value) {
        String v = value.trim();
        long seconds;
        try {
            seconds = v.matches("-?\\d{1,12}") ? Long.parseLong(v) : Instant.parse(v).getEpochSecond();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw ApiException.badRequest("'" + field + "' must be epoch seconds or an ISO-8601 instant such as 2026-03-01T12:00:00Z; got '"
                    + Bodies.truncate(value) + "'.");
        }
        if (seconds < 0 || seconds > 253_402_300_799L) {
            throw ApiException.badRequest("'" + field + "' is " + seconds + ", outside the years 1970 to 9999.");
        }
        return seconds;
    }
}
