package com.gururmm.server.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * OpenID Connect single sign-on and whether password login stays on (docs/OPERATIONS.md,
 * "Single sign-on (OIDC)"). SSO is off while {@code GURURMM_OIDC_ISSUER} is unset.
 *
 * @param issuer        the provider's issuer URL; its {@code /.well-known/openid-configuration} is read at the first login
 * @param clientId      this server's client id at the provider
 * @param clientSecret  its client secret (secret); empty: a public client (PKCE only, no client authentication)
 * @param redirectUri   the callback URL registered at the provider; empty: derived from the request
 *                      ({@code <scheme>://<host>/api/auth/oidc/callback})
 * @param scopes        the scopes asked for ({@code openid} always among them)
 * @param roleClaim     the ID token claim (string or list) mapped to the GuruRMM role
 * @param roleMap       claim value → role name; empty: the claim's values are role names themselves
 * @param scopeClaim    the claim (string or list) naming the clients ({@code Client}) and sites ({@code Client/Site})
 *                      a technician or viewer may see
 * @param mfaAmr        {@code amr} values that count as multi-factor authentication at the provider
 * @param buttonLabel   the dashboard's SSO button text
 * @param localLogin    false: {@code POST /api/auth/login} answers 403 (GURURMM_LOCAL_LOGIN=disabled)
 */
public record OidcSettings(String issuer, String clientId, String clientSecret, String redirectUri, List<String> scopes,
                           String roleClaim, Map<String, String> roleMap, String scopeClaim, Set<String> mfaAmr,
                           String buttonLabel, boolean localLogin) {
    public static final String ISSUER = "GURURMM_OIDC_ISSUER";
    public static final String CLIENT_ID = "GURURMM_OIDC_CLIENT_ID";
    public static final String CLIENT_SECRET = "GURURMM_OIDC_CLIENT_SECRET";
    public static final String CLIENT_SECRET_FILE = "GURURMM_OIDC_CLIENT_SECRET_FILE";
    public static final String REDIRECT_URI = "GURURMM_OIDC_REDIRECT_URI";
    public static final String SCOPES = "GURURMM_OIDC_SCOPES";
    public static final String ROLE_CLAIM = "GURURMM_OIDC_ROLE_CLAIM";
    public static final String ROLE_MAP = "GURURMM_OIDC_ROLE_MAP";
    public static final String SCOPE_CLAIM = "GURURMM_OIDC_SCOPE_CLAIM";
    public static final String MFA_AMR = "GURURMM_OIDC_MFA_AMR";
    public static final String BUTTON_LABEL = "GURURMM_OIDC_BUTTON_LABEL";
    public static final String LOCAL_LOGIN = "GURURMM_LOCAL_LOGIN";

    private static final Set<String> ROLES = Set.of("admin", "technician", "viewer");

    public OidcSettings {
        scopes = List.copyOf(scopes);
        roleMap = Map.copyOf(roleMap);
        mfaAmr = Set.copyOf(mfaAmr);
    }

    public boolean enabled() {
        return !issuer.isEmpty();
    }

    public static OidcSettings fromMap(Map<String, String> env) {
        String issuer = get(env, ISSUER, "");
        String clientId = get(env, CLIENT_ID, "");
        String secret = get(env, CLIENT_SECRET, "");
        String secretFile = get(env, CLIENT_SECRET_FILE, "");
        if (!secret.isEmpty() && !secretFile.isEmpty()) {
            throw new ConfigException("Both " + CLIENT_SECRET + " and " + CLIENT_SECRET_FILE + " are set; keep one (the file keeps the secret out of the environment).");
        }
        if (!secretFile.isEmpty()) {
            try {
                secret = Files.readString(Path.of(secretFile), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new ConfigException(CLIENT_SECRET_FILE + " is '" + secretFile + "', which cannot be read (" + e.getMessage() + "); point it at the file holding the client secret.");
            }
            if (secret.isEmpty()) {
                throw new ConfigException(CLIENT_SECRET_FILE + " '" + secretFile + "' is empty; put the provider's client secret in it.");
            }
        }
        if (!issuer.isEmpty()) {
            requireHttpUrl(ISSUER, issuer);
            if (clientId.isEmpty()) {
                throw new ConfigException(ISSUER + " is set but " + CLIENT_ID + " is not; set it to the client id the provider gave this server.");
            }
        }
        String redirect = get(env, REDIRECT_URI, "");
        if (!redirect.isEmpty()) {
            requireHttpUrl(REDIRECT_URI, redirect);
        }
        Set<String> scopes = new LinkedHashSet<>(List.of("openid"));
        for (String s : get(env, SCOPES, "openid email profile").split("[,\\s]+")) {
            if (!s.isBlank()) {
                scopes.add(s.trim());
            }
        }
        Map<String, String> roleMap = new LinkedHashMap<>();
        String map = get(env, ROLE_MAP, "");
        for (String pair : map.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.lastIndexOf('=');
            String role = eq < 0 ? "" : pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            if (eq <= 0 || !ROLES.contains(role)) {
                throw new ConfigException(ROLE_MAP + " has '" + pair.trim() + "'; write claim-value=role pairs, comma-separated, with role admin,"
                        + " technician or viewer (e.g. rmm-admins=admin,rmm-techs=technician).");
            }
            roleMap.put(pair.substring(0, eq).trim(), role);
        }
        Set<String> amr = new LinkedHashSet<>();
        for (String a : get(env, MFA_AMR, "mfa,otp,hwk,sc").split(",")) {
            if (!a.isBlank()) {
                amr.add(a.trim());
            }
        }
        String local = get(env, LOCAL_LOGIN, "enabled");
        if (!local.equals("enabled") && !local.equals("disabled")) {
            throw new ConfigException(LOCAL_LOGIN + " is '" + local + "'; set it to 'enabled' (the default) or 'disabled' (SSO only).");
        }
        if (local.equals("disabled") && issuer.isEmpty()) {
            throw new ConfigException(LOCAL_LOGIN + "=disabled needs single sign-on: set " + ISSUER + " and " + CLIENT_ID
                    + ", or keep password login enabled.");
        }
        return new OidcSettings(issuer, clientId, secret, redirect, List.copyOf(scopes), get(env, ROLE_CLAIM, "groups"), roleMap,
                get(env, SCOPE_CLAIM, "gururmm_scope"), amr, get(env, BUTTON_LABEL, "Sign in with SSO"), local.equals("enabled"));
    }

    private static void requireHttpUrl(String key, String value) {
        try {
            URI uri = new URI(value);
            if ((!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new java.net.URISyntaxException(value, "not an http(s) URL");
            }
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(key + " is '" + value + "', which is not an http(s) URL; e.g. https://login.example.com/realms/msp.");
        }
    }

    private static String get(Map<String, String> env, String key, String fallback) {
        String v = env.get(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** For the start-up log; the secret is masked. */
    public void describe(Map<String, String> out) {
        out.put(ISSUER, issuer.isEmpty() ? "(unset: single sign-on off)" : issuer);
        if (enabled()) {
            out.put(CLIENT_ID, clientId);
            out.put(CLIENT_SECRET, clientSecret.isEmpty() ? "(unset: public client, PKCE only)" : "****");
            out.put(REDIRECT_URI, redirectUri.isEmpty() ? "(from the request)" : redirectUri);
            out.put(SCOPES, String.join(" ", scopes));
            out.put(ROLE_CLAIM, roleClaim);
            out.put(ROLE_MAP, roleMap.isEmpty() ? "(unset: claim values are role names)" : roleMap.toString());
            out.put(SCOPE_CLAIM, scopeClaim);
            out.put(MFA_AMR, String.join(",", mfaAmr));
        }
        out.put(LOCAL_LOGIN, localLogin ? "enabled" : "disabled");
    }
}
