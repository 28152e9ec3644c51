-- Bulk commands (POST /api/commands): one batch row, one row per targeted agent.
-- Each agent's command is an ordinary row in commands, so delivery, results and the sweeper
-- work as for single commands; progress is read by joining through batch_commands.
-- Portable between PostgreSQL and H2 (see V1).

CREATE TABLE batches (
    id               UUID PRIMARY KEY,
    command_type     VARCHAR(20) NOT NULL,
    command_text     TEXT NOT NULL,
    context          VARCHAR(20) NOT NULL,
    timeout_seconds  INTEGER NOT NULL,
    target           VARCHAR(2000) NOT NULL,
    agent_count      INTEGER NOT NULL,
    created_by       VARCHAR(320) NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE batch_commands (
    batch_id    UUID NOT NULL REFERENCES batches (id),
    agent_id    UUID NOT NULL REFERENCES agents (id),
    -- NULL when the command could not be created for this agent (error says why)
    command_id  UUID REFERENCES commands (id),
    error       VARCHAR(2000),
    PRIMARY KEY (batch_id, agent_id)
);
