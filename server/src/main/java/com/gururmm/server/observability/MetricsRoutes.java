package com.gururmm.server.observability;

import com.gururmm.server.auth.Role;
import com.gururmm.server.routing.AccessFilter;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.util.Optional;

/**
 * {@code GET /metrics}: the Prometheus text exposition of {@link Meters}. Admins may read it with
 * their session; Prometheus presents the scrape token of {@code GURURMM_METRICS_TOKEN_FILE}
 * ({@link ScrapeToken}), which opens this route and nothing else. Anyone else gets 401/403 like
 * any other route. The path is a route of its own, outside {@code /dashboard/} and
 * {@code /webjars/}, so no static handler can answer it.
 */
public final class MetricsRoutes {
    public static final String PATH = "/metrics";
    /** The credential name the route table and the access filter know the scrape token by. */
    public static final String SCRAPE_CREDENTIAL = "metrics_scrape";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Meters meters;
    private final Optional<ScrapeToken> token;

    public MetricsRoutes(Meters meters, Optional<ScrapeToken> token) {
        this.meters = meters;
        this.token = token;
    }

    public void register(RouteTable routes, AccessFilter access) {
        token.ifPresent(t -> access.credential(SCRAPE_CREDENTIAL, t::matches));
        routes.get(PATH, Rule.role(Role.ADMIN).orCredential(SCRAPE_CREDENTIAL),
                "The server's own metrics in Prometheus text format (admin session or the scrape token)", ctx -> {
                    ctx.header("Cache-Control", "no-store");
                    ctx.contentType(CONTENT_TYPE).result(meters.scrape());
                });
    }
}
