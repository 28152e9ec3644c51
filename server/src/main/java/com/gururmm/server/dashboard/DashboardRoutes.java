package com.gururmm.server.dashboard;

import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the web dashboard: {@code /} is the single page, {@code /dashboard/*} its ES modules
 * and stylesheet, {@code /webjars/*} the lit library from the server jar. Everything comes from
 * the jar, so the dashboard works on a server with no internet access.
 *
 * <p>The page loads lit through an import map (native ES modules, no bundler). An import map
 * must be an inline {@code <script>}, which a strict {@code Content-Security-Policy} forbids; so
 * the map is generated once at start from the webjar versions on the classpath and allowed by
 * its SHA-256 hash, and no other inline script can run.
 */
public final class DashboardRoutes {
    static final String PLACEHOLDER = "<!--gururmm:importmap-->";

    private final String page;
    private final String contentSecurityPolicy;

    public DashboardRoutes() {
        String importMap = ImportMap.forClasspathWebjars();
        String template = resource("dashboard/index.html");
        if (!template.contains(PLACEHOLDER)) {
            throw new IllegalStateException("dashboard/index.html lacks the " + PLACEHOLDER + " marker");
        }
        this.page = template.replace(PLACEHOLDER, "<script type=\"importmap\">" + importMap + "</script>");
        this.contentSecurityPolicy = "default-src 'self'; script-src 'self' 'sha256-" + sha256Base64(importMap) + "'; "
                + "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                + "form-action 'self'; frame-ancestors 'none'";
    }

    /** The policy sent with every dashboard response; tests assert it. */
    public String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    public void register(JavalinConfig cfg, RouteTable routes) {
        Map<String, String> headers = securityHeaders();
        // The dashboard's modules and the libraries it loads hold no data; every API call they make carries the user's token.
        routes.openStaticFiles("/dashboard/");
        routes.openStaticFiles("/webjars/");
        cfg.staticFiles.add(sf -> {
            sf.hostedPath = "/dashboard";
            sf.directory = "/dashboard";
            sf.location = Location.CLASSPATH;
            // Revalidate on every load so an upgraded server never runs yesterday's modules.
            sf.headers = withCacheControl(headers, "no-cache");
            // The page template is served only through "/" with its import map filled in.
            sf.skipFileFunction = request -> request.getRequestURI().endsWith(".html");
        });
        cfg.staticFiles.add(sf -> {
            sf.hostedPath = "/webjars";
            sf.directory = "/META-INF/resources/webjars";
            sf.location = Location.CLASSPATH;
            // Webjar paths carry the version, so a response never changes: cache it for a long time.
            sf.headers = withCacheControl(headers, "public, max-age=31536000, immutable");
        });
        routes.get("/", Rule.open("the dashboard page; its API calls carry the user's token"), "The dashboard", this::servePage);
        routes.get("/index.html", Rule.open("redirect to the dashboard"), "Redirect to /", ctx -> ctx.redirect("/"));
    }

    private void servePage(Context ctx) {
        securityHeaders().forEach(ctx::header);
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    private Map<String, String> securityHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", contentSecurityPolicy);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        return headers;
    }

    private static Map<String, String> withCacheControl(Map<String, String> headers, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put("Cache-Control", value);
        return Map.copyOf(copy);
    }

    static String resource(String name) {
        try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the server jar; rebuild the server module");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the server jar", e);
        }
    }

    static String sha256Base64(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
