-- Live output of running commands (docs/OPERATIONS.md, "Live command output"): the chunks the agent
-- streamed while the command ran, in its own seq order. A live view and a replay for late
-- followers; the command's result (commands.stdout/stderr) stays the record. Deleted with the
-- command, or by the retention sweep (GURURMM_COMMAND_OUTPUT_RETENTION_HOURS after they arrived).
CREATE TABLE command_output (
    command_id    UUID NOT NULL REFERENCES commands (id) ON DELETE CASCADE,
    seq           BIGINT NOT NULL,
    stream        VARCHAR(6) NOT NULL,
    char_offset   BIGINT NOT NULL,
    -- Escaped as commands.stdout is when it holds U+0000 (see command.OutputText), and flagged so.
    data          TEXT NOT NULL,
    data_escaped  BOOLEAN NOT NULL DEFAULT FALSE,
    chars         INTEGER NOT NULL,
    stopped       VARCHAR(20),
    produced_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (command_id, seq)
);
CREATE INDEX command_output_received ON command_output (received_at);
