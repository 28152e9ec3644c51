-- Metrics (issue 9). Sized for 10,000 agents at one sample a minute (docs/OPERATIONS.md, "Metrics"):
-- a row per sample would cost ~60 bytes of row and index overhead in PostgreSQL before any value,
-- so samples live as rows only until their hour is over; then they are packed, with their
-- hourly min/avg/max rollups, into one row per agent per hour (server.metrics.SampleCodec).
-- Times are epoch seconds (BIGINT): 8 bytes, no time zone conversion on either database.

-- Samples of hours not yet packed (and late arrivals for packed ones, merged at the next pack).
CREATE TABLE metric_recent (
    agent_id    UUID   NOT NULL,
    sampled_at  BIGINT NOT NULL,
    payload     BYTEA  NOT NULL,
    PRIMARY KEY (agent_id, sampled_at)
);
CREATE INDEX metric_recent_time ON metric_recent (sampled_at);

-- One row per agent per hour: every sample of the hour and its min/avg/max rollup.
CREATE TABLE metric_hour (
    agent_id    UUID    NOT NULL,
    hour_start  BIGINT  NOT NULL,
    samples     INTEGER NOT NULL,
    raw         BYTEA   NOT NULL,
    rollup      BYTEA   NOT NULL,
    PRIMARY KEY (agent_id, hour_start)
);
CREATE INDEX metric_hour_time ON metric_hour (hour_start);

-- The newest sample of each agent, for fleet columns without reading any sample table.
CREATE TABLE metric_latest (
    agent_id    UUID   PRIMARY KEY,
    sampled_at  BIGINT NOT NULL,
    payload     BYTEA  NOT NULL
);
