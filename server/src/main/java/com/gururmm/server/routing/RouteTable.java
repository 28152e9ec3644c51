package com.gururmm.server.routing;

import com.gururmm.server.cluster.NodeRelay;
import com.gururmm.server.cluster.OnOtherNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every HTTP route of the server, each registered with its {@link Rule}. Registering through
 * this table is the only way a feature adds a route, so a route cannot exist without a rule;
 * {@link AccessFilter} refuses any matched endpoint that somehow has none (fail closed).
 */
public final class RouteTable {
    /** One registered route, as the authorization test and the OpenAPI document see it. */
    public record Route(String method, String path, Rule rule, String summary) {
    }

    private final RoutesConfig routes;
    private final List<Route> registered = new ArrayList<>();
    /** Run after every mutating handler whose rule may change a caller ({@link Rule#changesNoCaller}); set while wiring. */
    private volatile Runnable afterCallerChange = () -> { };
    /** Passes on a request another node serves ({@link OnOtherNode}); null on a single node, where that is a 409. */
    private volatile NodeRelay relay;
    private final List<String> openStaticPrefixes = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RouteTable(RoutesConfig routes) {
        this.routes = routes;
    }

    public RouteTable get(String path, Rule rule, String summary, Handler handler) {
        return add(HandlerType.GET, path, rule, summary, handler);
    }

    public RouteTable post(String path, Rule rule, String summary, Handler handler) {
        return add(HandlerType.POST, path, rule, summary, handler);
    }

    public RouteTable patch(String path, Rule rule, String summary, Handler handler) {
        return add(HandlerType.PATCH, path, rule, summary, handler);
    }

    public RouteTable put(String path, Rule rule, String summary, Handler handler) {
        return add(HandlerType.PUT, path, rule, summary, handler);
    }

    public RouteTable delete(String path, Rule rule, String summary, Handler handler) {
        return add(HandlerType.DELETE, path, rule, summary, handler);
    }

    private synchronized RouteTable add(HandlerType method, String path, Rule rule, String summary, Handler handler) {
        if (rule == null) {
            throw new IllegalArgumentException("route " + method + " " + path + " has no access rule");
        }
        registered.add(new Route(method.name(), path, rule, summary));
        boolean mayChangeCallers = method != HandlerType.GET && method != HandlerType.HEAD && !rule.callerNeutral();
        Handler served = ctx -> serveHereOrRelay(handler, ctx);
        routes.addHttpHandler(method, path, mayChangeCallers ? ctx -> {
            try {
                served.handle(ctx);
            } finally {
                // The handler has committed what it changed: a caller read from now on sees it.
                afterCallerChange.run();
            }
        } : served, rule);
        return this;
    }

    /** Runs the handler; if it says another node serves the request, the request goes there (with a relay). */
    private void serveHereOrRelay(Handler handler, Context ctx) throws Exception {
        try {
            handler.handle(ctx);
        } catch (OnOtherNode elsewhere) {
            NodeRelay to = relay;
            if (to == null) {
                throw elsewhere;
            }
            to.forward(ctx, elsewhere);
        }
    }

    /** Requests that another node serves are passed on by {@code relay} (set while wiring a cluster node). */
    public void relayWith(NodeRelay relay) {
        this.relay = relay;
    }

    /**
     * {@code hook} runs when a handler that may change who a caller is has finished (not as an
     * after-handler of its own: that would take the request's matched route from the metrics).
     */
    void afterCallerChange(Runnable hook) {
        this.afterCallerChange = hook;
    }

    /**
     * Declares that static files hosted under {@code prefix} (e.g. {@code /webjars/}) are public:
     * Javalin serves them without a route of ours, so they carry no {@link Rule} of their own.
     */
    public void openStaticFiles(String prefix) {
        if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.equals("/") || prefix.startsWith("/api/")) {
            throw new IllegalArgumentException("static prefix must be a directory such as /webjars/, never / or /api/: " + prefix);
        }
        openStaticPrefixes.add(prefix);
    }

    boolean isOpenStaticFile(String path) {
        return openStaticPrefixes.stream().anyMatch(path::startsWith);
    }

    /** The routes registered so far, in registration order. */
    public synchronized List<Route> routes() {
        return Collections.unmodifiableList(new ArrayList<>(registered));
    }

    /** Registers {@code GET /api/openapi.json}, generated from this table when asked. */
    public void registerOpenApi(String version) {
        get("/api/openapi.json", Rule.open("describes the API; no data"), "This OpenAPI document",
                ctx -> ctx.json(OpenApiDocument.of(routes(), version)));
    }
}
