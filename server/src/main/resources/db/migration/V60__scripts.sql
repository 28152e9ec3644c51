-- Issue 12: the script library. A script keeps every version it ever had; a run (a batch)
-- records which script and version it ran with which parameters. Portable between PostgreSQL
-- and H2 (MODE=PostgreSQL), like V1.

-- Extra environment variables of a command (JSON object; NULL = none): a saved script's
-- parameters reach its process as GURURMM_PARAM_<NAME>, never inside command_text.
ALTER TABLE commands ADD COLUMN env TEXT;

CREATE TABLE scripts (
    id               UUID PRIMARY KEY,
    name             VARCHAR(200) NOT NULL,
    -- trimmed, lower-cased name: unique among live scripts (checked by the server; a deleted
    -- script keeps its name for the history of its runs)
    name_key         VARCHAR(200) NOT NULL,
    current_version  INTEGER NOT NULL,
    created_by       VARCHAR(320) NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by       VARCHAR(320) NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at       TIMESTAMP WITH TIME ZONE
);
CREATE INDEX scripts_name_key ON scripts (name_key);

CREATE TABLE script_versions (
    script_id        UUID NOT NULL REFERENCES scripts (id),
    version          INTEGER NOT NULL,
    name             VARCHAR(200) NOT NULL,
    description      VARCHAR(4000),
    category         VARCHAR(100),
    command_type     VARCHAR(20) NOT NULL,
    body             TEXT NOT NULL,
    -- JSON array of {name, type, required, default, options, description}
    parameters       TEXT NOT NULL,
    timeout_seconds  INTEGER NOT NULL,
    context          VARCHAR(20) NOT NULL,
    -- comma-separated (linux,windows,macos); NULL = every OS
    supported_os     VARCHAR(100),
    created_by       VARCHAR(320) NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (script_id, version)
);

CREATE TABLE script_runs (
    batch_id         UUID PRIMARY KEY REFERENCES batches (id),
    script_id        UUID NOT NULL REFERENCES scripts (id),
    script_version   INTEGER NOT NULL,
    -- JSON object NAME -> the value as the script received it
    parameters       TEXT NOT NULL,
    -- set when a schedule (or a policy's task) started the run
    schedule_id      UUID,
    created_by       VARCHAR(320) NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX script_runs_script ON script_runs (script_id, created_at);
