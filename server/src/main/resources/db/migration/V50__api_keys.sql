-- API keys (issue 10): bearer credentials for automation, created by a user and never wider than
-- them. Portable between PostgreSQL and H2 (MODE=PostgreSQL); see the notes in V1__core.sql.

-- key_hash: SHA-256 (hex) of the whole key. The key is 256 random bits, so a fast hash is as
-- safe as a slow one here and lets every request be checked with one indexed lookup; the key
-- itself is shown once at creation and stored nowhere. key_prefix: its first characters, so a
-- person can tell their keys apart (and a leaked key can be matched to its row) without the secret.
-- role: the key's own role, at most the owner's when created; at use the lower of it and the
-- owner's current role applies. inherit_scope: TRUE = the owner's scope (whatever it is at use);
-- FALSE = the grants in api_key_scopes, intersected with the owner's scope at use.
CREATE TABLE api_keys (
    id             UUID PRIMARY KEY,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           VARCHAR(100) NOT NULL,
    key_hash       VARCHAR(64) NOT NULL,
    key_prefix     VARCHAR(40) NOT NULL,
    role           VARCHAR(20) NOT NULL,
    inherit_scope  BOOLEAN NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at   TIMESTAMP WITH TIME ZONE,
    last_used_ip   VARCHAR(64),
    revoked_at     TIMESTAMP WITH TIME ZONE,
    revoked_by     VARCHAR(320),
    CONSTRAINT api_keys_hash_unique UNIQUE (key_hash)
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- A key's own grants (only when inherit_scope is FALSE), shaped like user_scopes. A deleted
-- client or site takes its grant with it; a key left with none sees nothing (fails closed).
CREATE TABLE api_key_scopes (
    key_id     UUID NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    client_id  UUID REFERENCES clients (id) ON DELETE CASCADE,
    site_id    UUID REFERENCES sites (id) ON DELETE CASCADE,
    CONSTRAINT api_key_scopes_one_target CHECK ((client_id IS NULL) <> (site_id IS NULL))
);
CREATE INDEX api_key_scopes_key ON api_key_scopes (key_id);
