package com.gururmm.server.auth;

import com.gururmm.protocol.api.Sso.AuthConfig;
import com.gururmm.protocol.api.Sso.SessionRequest;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Single sign-on routes ({@link OidcService}): {@code GET /api/auth/config} tells the dashboard how
 * one may sign in; {@code /api/auth/oidc/login}, {@code /callback} and {@code /session} are the
 * browser's steps. Registered always (so the route table and the OpenAPI document are the same on
 * every server); without {@code GURURMM_OIDC_ISSUER} the SSO steps answer 404.
 */
public final class OidcRoutes {
    static final String COOKIE_PATH = "/api/auth/oidc";
    private final OidcService oidc;
    private final AuthService auth;
    private final ClientAddress clientAddress;

    /** {@code oidc} null: single sign-on is not configured. */
    public OidcRoutes(OidcService oidc, AuthService auth, ClientAddress clientAddress) {
        this.oidc = oidc;
        this.auth = auth;
        this.clientAddress = clientAddress;
    }

    public void register(RouteTable routes) {
        routes.get("/api/auth/config", Rule.open("tells the login page which sign-in methods exist; no data"),
                "How to sign in here: password login on or off, single sign-on configured", ctx -> ctx.json(new AuthConfig(
                        auth.localLoginEnabled(), oidc != null, oidc == null ? null : oidc.settings().buttonLabel(),
                        oidc == null ? null : "/api/auth/oidc/login")));
        routes.get("/api/auth/oidc/login", Rule.open("starts single sign-on; the identity provider authenticates"),
                "Single sign-on: redirects (302) to the OpenID Connect provider, with state, nonce and PKCE bound to a cookie", ctx -> {
                    OidcService.Start start = sso().start(derivedRedirect(ctx));
                    setCookie(ctx, start.browserSecret(), (int) OidcService.LOGIN_TTL.toSeconds());
                    noStore(ctx);
                    ctx.redirect(start.location().toString(), HttpStatus.FOUND);
                });
        routes.get(OidcService.CALLBACK_PATH, Rule.open("the provider's redirect; state, cookie and ID token are checked"),
                "Single sign-on: the provider's redirect back; redirects (302) to the dashboard with a one-time handoff", ctx -> {
                    noStore(ctx);
                    String handoff;
                    try {
                        handoff = sso().callback(ctx.queryParam("state"), ctx.queryParam("code"), ctx.queryParam("error"),
                                ctx.cookie(OidcService.COOKIE), clientAddress.of(ctx));
                    } catch (ApiException e) {
                        String accept = ctx.header("Accept");
                        if (oidc == null || accept == null || !accept.contains("text/html")) {
                            throw e;
                        }
                        // A browser: back to the login page, which shows why (as text); API clients get the JSON error.
                        ctx.redirect("/#sso-error=" + URLEncoder.encode(e.getMessage(), StandardCharsets.UTF_8).replace("+", "%20"), HttpStatus.FOUND);
                        return;
                    }
                    ctx.redirect("/#sso=" + handoff, HttpStatus.FOUND);
                });
        routes.post("/api/auth/oidc/session", Rule.open("a one-time SSO handoff and its browser cookie in the body"),
                "Single sign-on: trades the callback's one-time handoff for a session token (as POST /api/auth/login)", ctx -> {
                    SessionRequest request = Bodies.read(ctx, SessionRequest.class);
                    var session = sso().session(request.handoff(), ctx.cookie(OidcService.COOKIE), clientAddress.of(ctx));
                    setCookie(ctx, "", 0);
                    noStore(ctx);
                    ctx.json(session);
                });
    }

    private OidcService sso() {
        if (oidc == null) {
            throw new ApiException(404, "not_found", "Single sign-on is not configured on this server (GURURMM_OIDC_ISSUER is unset).");
        }
        return oidc;
    }

    /** The callback URL as this request reached us (GURURMM_OIDC_REDIRECT_URI overrides it, e.g. behind a proxy). */
    private static String derivedRedirect(Context ctx) {
        String host = ctx.host();
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.\\-:\\[\\]]{1,300}")) {
            throw ApiException.badRequest("The request has no usable Host header; set GURURMM_OIDC_REDIRECT_URI to the callback URL.");
        }
        return ctx.scheme() + "://" + host + OidcService.CALLBACK_PATH;
    }

    /**
     * The login's browser binding: HttpOnly (no script reads it), SameSite=Lax (sent on the
     * provider's top-level redirect back, not on cross-site subrequests), only under /api/auth/oidc.
     */
    private static void setCookie(Context ctx, String value, int maxAgeSeconds) {
        ctx.res().addHeader("Set-Cookie", OidcService.COOKIE + "=" + value + "; Path=" + COOKIE_PATH + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Lax" + ("https".equals(ctx.scheme()) ? "; Secure" : ""));
    }

    private static void noStore(Context ctx) {
        ctx.header("Cache-Control", "no-store");
    }
}
