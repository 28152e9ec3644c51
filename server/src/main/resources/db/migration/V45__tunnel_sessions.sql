-- Interactive shell (tunnel) sessions: who opened a shell on which agent, when, for how long,
-- how it ended, and the recording file (docs/OPERATIONS.md, "Remote shell (tunnel)").
-- The live session (sockets, replay buffer) is in memory; this row is its audit trail.
CREATE TABLE tunnel_sessions (
    id              UUID PRIMARY KEY,
    agent_id        UUID NOT NULL,
    user_id         UUID NOT NULL,
    user_name       VARCHAR(320) NOT NULL,
    context         VARCHAR(20) NOT NULL,
    term_cols       INTEGER NOT NULL,
    term_rows       INTEGER NOT NULL,
    state           VARCHAR(20) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at        TIMESTAMP WITH TIME ZONE,
    exit_code       INTEGER,
    end_reason      VARCHAR(500),
    bytes_out       BIGINT NOT NULL DEFAULT 0,
    bytes_in        BIGINT NOT NULL DEFAULT 0,
    recording_file  VARCHAR(200),
    tty             VARCHAR(100)
);
CREATE INDEX tunnel_sessions_created ON tunnel_sessions (created_at);
CREATE INDEX tunnel_sessions_agent ON tunnel_sessions (agent_id);
