-- Agent releases (SPEC section 6): staged rollout state per release file, and each agent's
-- last self-update attempt. The builds themselves live in DOWNLOADS_DIR, not in the database.
-- Portable between PostgreSQL and H2 (MODE=PostgreSQL), like V1.

-- No row = the release goes to every eligible agent (100 %, not paused).
CREATE TABLE release_rollouts (
    file          VARCHAR(200) PRIMARY KEY,
    percent       INTEGER NOT NULL,
    paused        BOOLEAN NOT NULL DEFAULT FALSE,
    pause_reason  VARCHAR(1000),
    updated_by    VARCHAR(320) NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT release_rollouts_percent CHECK (percent BETWEEN 0 AND 100)
);

-- One row per agent: its latest update attempt. state: offered, downloading, restarting,
-- succeeded, failed, rolled_back, unsupported.
CREATE TABLE agent_updates (
    agent_id         UUID PRIMARY KEY REFERENCES agents (id),
    current_version  VARCHAR(50),
    target_version   VARCHAR(50) NOT NULL,
    file             VARCHAR(200) NOT NULL,
    state            VARCHAR(20) NOT NULL,
    reason           VARCHAR(2000),
    attempted_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX agent_updates_file_state ON agent_updates (file, state);
