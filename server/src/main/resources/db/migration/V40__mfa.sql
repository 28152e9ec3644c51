-- MFA (issue 10): TOTP second factor, recovery codes, login challenges, the MFA policy.
-- Portable between PostgreSQL and H2 (MODE=PostgreSQL); see the notes in V1__core.sql.

-- One TOTP authenticator per user. The seed is AES-GCM sealed with the key in
-- <data dir>/mfa-secret.key (never in clear text here). confirmed_at NULL: enrolment started,
-- not yet proven with a code, so not required at login. last_step: the newest RFC 6238 time
-- step a code was accepted for; a code of that step or an older one is a replay.
CREATE TABLE user_totp (
    user_id       UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed VARCHAR(200) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    confirmed_at  TIMESTAMP WITH TIME ZONE,
    last_step     BIGINT
);

-- Single-use recovery codes, stored as SHA-256 of the (random) code.
CREATE TABLE user_recovery_codes (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at    TIMESTAMP WITH TIME ZONE,
    CONSTRAINT user_recovery_codes_pk PRIMARY KEY (user_id, code_hash)
);

-- The second step of a login: issued when the password was right, short-lived, single-use,
-- stored as the SHA-256 of the token. kind: 'verify' (enter a code) or 'enroll' (the policy
-- requires MFA and the user has none yet: enrol, then the first code completes the login).
CREATE TABLE mfa_challenges (
    token_hash  VARCHAR(64) PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        VARCHAR(10) NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    used_at     TIMESTAMP WITH TIME ZONE
);
CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);

-- The roles whose users must have MFA (GET/PUT /api/settings/mfa). No rows: MFA is optional.
CREATE TABLE mfa_required_roles (
    role        VARCHAR(20) PRIMARY KEY,
    updated_by  VARCHAR(320) NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
