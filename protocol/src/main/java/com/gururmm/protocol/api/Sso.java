package com.gururmm.protocol.api;

/** Bodies of the single sign-on routes ({@code /api/auth/config}, {@code /api/auth/oidc/*}). */
public final class Sso {
    private Sso() {
    }

    /**
     * {@code GET /api/auth/config}: how one may sign in here, for the dashboard's login page.
     *
     * @param localLogin   e-mail and password ({@code POST /api/auth/login}) are accepted
     * @param sso          OpenID Connect single sign-on is configured
     * @param ssoLabel     the SSO button's text (null without SSO)
     * @param ssoLoginUrl  where the SSO button goes ({@code /api/auth/oidc/login}; null without SSO)
     */
    public record AuthConfig(boolean localLogin, boolean sso, String ssoLabel, String ssoLoginUrl) {
    }

    /** {@code POST /api/auth/oidc/session}: the one-time handoff the callback put in the dashboard's URL fragment. */
    public record SessionRequest(String handoff) {
    }
}
