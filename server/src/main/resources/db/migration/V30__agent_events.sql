-- Events agents report (issue 9: Windows bugchecks from the System event log). One row per
-- occurrence: (agent_id, event_key) is unique, so a report sent twice is stored once.
CREATE TABLE agent_events (
    id           UUID PRIMARY KEY,
    agent_id     UUID NOT NULL REFERENCES agents (id),
    event_key    VARCHAR(200) NOT NULL,
    kind         VARCHAR(40)  NOT NULL,
    severity     VARCHAR(10)  NOT NULL,
    summary      VARCHAR(500) NOT NULL,
    details      TEXT         NOT NULL,
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT agent_events_agent_key UNIQUE (agent_id, event_key)
);
CREATE INDEX agent_events_agent_time ON agent_events (agent_id, occurred_at);
