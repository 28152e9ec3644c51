package com.gururmm.server.observability;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Per HTTP request: a request id (from a well-formed {@code X-Request-Id} the client or its
 * proxy sent, else a new one), echoed in the {@code X-Request-Id} response header and put in the
 * MDC as {@code request_id} for every line logged while the request is handled; when it ends, a
 * {@code gururmm_http_requests} timer sample tagged with the route pattern (never the raw path,
 * which carries ids) and the status, and an access-log line for every request that changes
 * something (GETs are not logged: dashboards poll).
 */
public final class RequestObserver {
    /** Logger of the access lines, so an operator can silence or route them on their own. */
    static final Logger access = LoggerFactory.getLogger("com.gururmm.server.access");
    public static final String HEADER = "X-Request-Id";
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._-]{8,64}");
    private static final String ATTRIBUTE = "gururmm.request-id";

    private final Meters meters;

    public RequestObserver(Meters meters) {
        this.meters = meters;
    }

    public void install(JavalinConfig cfg) {
        cfg.routes.before(this::begin);
        cfg.requestLogger.http(this::end);
    }

    private void begin(Context ctx) {
        String offered = ctx.header(HEADER);
        String id = offered != null && WELL_FORMED.matcher(offered).matches() ? offered : UUID.randomUUID().toString();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
        MDC.put(LogContext.REQUEST_ID, id);
    }

    private void end(Context ctx, Float millis) {
        String id = ctx.attribute(ATTRIBUTE);
        if (id != null) {
            MDC.put(LogContext.REQUEST_ID, id);
        }
        try {
            String route = route(ctx);
            int status = ctx.statusCode();
            long nanos = (long) (millis == null ? 0 : millis * 1_000_000d);
            Timer.builder(Meters.HTTP_REQUESTS).description("HTTP requests by route and status")
                    .tag("method", ctx.method().name()).tag("route", route).tag("status", Integer.toString(status))
                    .register(meters.registry()).record(nanos, TimeUnit.NANOSECONDS);
            if (!ctx.method().name().equals("GET") && !ctx.method().name().equals("HEAD") && !ctx.method().name().equals("OPTIONS")) {
                access.info("{} {} -> {} in {} ms", ctx.method().name(), route, status, Math.round(millis == null ? 0 : millis));
            }
        } finally {
            MDC.remove(LogContext.REQUEST_ID);
            MDC.remove(LogContext.AGENT_ID);
            MDC.remove(LogContext.COMMAND_ID);
        }
    }

    /** The matched route's pattern; static files and unmatched paths are grouped, so the tag stays low-cardinality. */
    static String route(Context ctx) {
        try {
            Endpoint endpoint = ctx.endpoint();
            if (endpoint != null && endpoint.path != null && !endpoint.path.isEmpty()) {
                return endpoint.path;
            }
        } catch (RuntimeException noMatch) {
            // not a matched route
        }
        String path = ctx.path();
        if (path.startsWith("/dashboard/") || path.startsWith("/webjars/")) {
            return "static";
        }
        return "unmatched";
    }
}
