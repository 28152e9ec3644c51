-- Issue 12: scheduled tasks. The scheduler fires an occurrence by inserting its row in
-- schedule_runs (primary key (schedule_id, occurrence_at): once, whatever the restarts or the
-- number of server nodes) in the same transaction that creates its batch and commands and
-- moves next_run_at on. Nodes pick due schedules with SELECT ... FOR UPDATE SKIP LOCKED.

CREATE TABLE schedules (
    id                UUID PRIMARY KEY,
    name              VARCHAR(200) NOT NULL,
    script_id         UUID NOT NULL REFERENCES scripts (id),
    -- pinned: editing the script does not change what an existing schedule runs
    script_version    INTEGER NOT NULL,
    -- JSON object NAME -> value (validated against that version's parameters)
    parameters        TEXT NOT NULL,
    -- JSON {"agent_ids": [...]} or {"filter": {...}}; NULL for a policy's task (targets: the policy's agents)
    target            TEXT,
    policy_id         UUID,
    kind              VARCHAR(10) NOT NULL,
    cron              VARCHAR(200),
    interval_seconds  INTEGER,
    run_at            TIMESTAMP WITH TIME ZONE,
    time_zone         VARCHAR(100) NOT NULL,
    skip_if_missed    BOOLEAN NOT NULL,
    enabled           BOOLEAN NOT NULL,
    -- NULL: nothing more to run (a one-off that ran, or a disabled schedule)
    next_run_at       TIMESTAMP WITH TIME ZONE,
    -- the user the schedule runs as: their role and scope at each occurrence decide what it reaches
    owner_id          UUID NOT NULL,
    created_by        VARCHAR(320) NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX schedules_next_run ON schedules (next_run_at);
CREATE INDEX schedules_policy ON schedules (policy_id);

CREATE TABLE schedule_runs (
    schedule_id    UUID NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    occurrence_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    fired_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    -- NULL when the occurrence started nothing (status skipped / missed / failed)
    batch_id       UUID REFERENCES batches (id),
    status         VARCHAR(20) NOT NULL,
    message        VARCHAR(2000),
    node           VARCHAR(200),
    PRIMARY KEY (schedule_id, occurrence_at)
);
