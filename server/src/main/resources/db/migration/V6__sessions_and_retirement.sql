-- Revocation (issue 8, finding 7) and the signing key leaving the database (finding 3).
-- Portable between PostgreSQL and H2 (MODE=PostgreSQL); see the notes in V1__core.sql.

-- The session-token signing key now lives in a 0600 file (<data dir>/jwt-signing.key or
-- GURURMM_JWT_KEY_FILE), so a database dump no longer lets anyone forge a token. Tokens signed
-- with the old key stop working: every user logs in once more after this upgrade.
DELETE FROM server_keys WHERE name = 'jwt-hs256';

-- One row per issued session token, checked on every request together with the user row, so a
-- logout, password change, disable or delete takes effect on the very next request.
CREATE TABLE sessions (
    id          VARCHAR(64) PRIMARY KEY,   -- the token's jti
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX sessions_user ON sessions (user_id);

-- A retired agent keeps its row and command history; its credential is void and it is hidden
-- from GET /api/agents unless asked for. Re-enrolling the machine clears it.
ALTER TABLE agents ADD COLUMN retired_at TIMESTAMP WITH TIME ZONE;
