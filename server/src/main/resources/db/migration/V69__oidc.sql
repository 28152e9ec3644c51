-- OpenID Connect single sign-on (docs/OPERATIONS.md, "Single sign-on (OIDC)").

-- Who a provider's user is here: keyed on issuer + subject (never the e-mail, which a provider may
-- reassign); the user is provisioned at the first login.
CREATE TABLE oidc_identities (
    issuer         VARCHAR(500) NOT NULL,
    subject        VARCHAR(255) NOT NULL,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_login_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);

-- A login in flight: the state's hash, the browser cookie's hash it is bound to, the nonce and the
-- PKCE verifier. Deleted when the callback uses it (single use) or once expired.
CREATE TABLE oidc_logins (
    state_hash     VARCHAR(64) PRIMARY KEY,
    browser_hash   VARCHAR(64) NOT NULL,
    nonce          VARCHAR(128) NOT NULL,
    code_verifier  VARCHAR(128) NOT NULL,
    redirect_uri   VARCHAR(1000) NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A finished callback waiting for the dashboard to take its session: single use, short-lived,
-- bound to the same browser cookie. No token is stored; the session is made when it is taken.
CREATE TABLE oidc_handoffs (
    handoff_hash   VARCHAR(64) PRIMARY KEY,
    browser_hash   VARCHAR(64) NOT NULL,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idp_mfa        BOOLEAN NOT NULL,
    detail         VARCHAR(500) NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A session whose second factor was done at the identity provider (ID token amr), so the MFA
-- policy is met without a local TOTP.
ALTER TABLE sessions ADD COLUMN idp_mfa BOOLEAN DEFAULT FALSE NOT NULL;
