-- Checks, alerts and maintenance windows (issue 9; docs/OPERATIONS.md "Checks and alerts").
-- Portable between PostgreSQL and H2 (MODE=PostgreSQL): no partial indexes, no ON CONFLICT.

-- A check at one scope. scope_key is 'fleet', 'site:<site>' or 'agent:<uuid>': a check key is
-- unique per scope, and a narrower scope's check with the same key overrides the inherited one.
CREATE TABLE checks (
    id          UUID PRIMARY KEY,
    check_key   VARCHAR(200) NOT NULL,
    name        VARCHAR(200),
    scope       VARCHAR(10)  NOT NULL,
    site        VARCHAR(200),
    agent_id    UUID,
    scope_key   VARCHAR(250) NOT NULL,
    kind        VARCHAR(40)  NOT NULL,
    enabled     BOOLEAN      NOT NULL,
    severity    VARCHAR(10)  NOT NULL,
    params      TEXT         NOT NULL,
    created_by  VARCHAR(320) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT checks_key_per_scope UNIQUE (scope_key, check_key)
);

-- open_key is '<agent id>/<check key>' while the alert is open or acknowledged and NULL once it is
-- resolved: the unique constraint allows exactly one unresolved alert per check per agent (both
-- databases let any number of rows hold NULL in a unique column).
CREATE TABLE alerts (
    id               UUID PRIMARY KEY,
    agent_id         UUID         NOT NULL,
    hostname         VARCHAR(255),
    site             VARCHAR(200),
    check_key        VARCHAR(200) NOT NULL,
    check_id         UUID,
    kind             VARCHAR(40)  NOT NULL,
    severity         VARCHAR(10)  NOT NULL,
    state            VARCHAR(15)  NOT NULL,
    title            VARCHAR(300) NOT NULL,
    message          TEXT,
    last_value       VARCHAR(4000),
    occurrences      INTEGER      NOT NULL,
    silenced         BOOLEAN      NOT NULL,
    open_key         VARCHAR(250),
    opened_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    acknowledged_at  TIMESTAMP WITH TIME ZONE,
    acknowledged_by  VARCHAR(320),
    resolved_at      TIMESTAMP WITH TIME ZONE,
    resolved_by      VARCHAR(320),
    CONSTRAINT alerts_one_open_per_check UNIQUE (open_key)
);
CREATE INDEX alerts_agent_check ON alerts (agent_id, check_key);
CREATE INDEX alerts_state ON alerts (state);
CREATE INDEX alerts_opened_at ON alerts (opened_at);

-- The last result of each agent-side check per agent (script output is kept here), written when
-- the status or output changes, not on every run.
CREATE TABLE check_results (
    agent_id    UUID         NOT NULL,
    check_key   VARCHAR(200) NOT NULL,
    status      VARCHAR(10)  NOT NULL,
    output      TEXT,
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (agent_id, check_key)
);

CREATE TABLE maintenance_windows (
    id          UUID PRIMARY KEY,
    agent_id    UUID,
    site        VARCHAR(200),
    starts_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    reason      VARCHAR(500),
    created_by  VARCHAR(320) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX maintenance_windows_ends_at ON maintenance_windows (ends_at);
