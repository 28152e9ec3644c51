-- System inventory (issue 9): the latest report per agent. What fleet-wide search needs is in
-- normalised tables (software, file systems, disks); the rest is one JSON document.

CREATE TABLE agent_inventory (
    agent_id              UUID PRIMARY KEY REFERENCES agents (id),
    schema_version        INTEGER NOT NULL,
    collected_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    received_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    document              TEXT NOT NULL,
    software_count        INTEGER NOT NULL,
    update_source         VARCHAR(40),
    pending_updates       INTEGER,
    security_updates      INTEGER,
    oldest_pending_since  TIMESTAMP WITH TIME ZONE,
    reboot_required       BOOLEAN
);

CREATE TABLE inventory_software (
    agent_id  UUID NOT NULL REFERENCES agents (id),
    name      VARCHAR(300) NOT NULL,
    name_lc   VARCHAR(300) NOT NULL,
    version   VARCHAR(200) NOT NULL,
    arch      VARCHAR(40),
    source    VARCHAR(20) NOT NULL
);
CREATE INDEX inventory_software_agent ON inventory_software (agent_id);
CREATE INDEX inventory_software_name ON inventory_software (name_lc);

CREATE TABLE inventory_filesystems (
    agent_id     UUID NOT NULL REFERENCES agents (id),
    mount        VARCHAR(500) NOT NULL,
    fs_type      VARCHAR(60),
    device       VARCHAR(500),
    total_bytes  BIGINT NOT NULL,
    free_bytes   BIGINT NOT NULL
);
CREATE INDEX inventory_filesystems_agent ON inventory_filesystems (agent_id);

CREATE TABLE inventory_disks (
    agent_id    UUID NOT NULL REFERENCES agents (id),
    name        VARCHAR(300) NOT NULL,
    model       VARCHAR(300),
    serial      VARCHAR(200),
    size_bytes  BIGINT NOT NULL
);
CREATE INDEX inventory_disks_agent ON inventory_disks (agent_id);

-- When each pending update was first seen pending on each agent: "pending for more than N days".
CREATE TABLE inventory_pending_updates (
    agent_id    UUID NOT NULL REFERENCES agents (id),
    name        VARCHAR(300) NOT NULL,
    first_seen  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (agent_id, name)
);

-- Software changes between consecutive reports: installed, removed, upgraded (or downgraded).
CREATE TABLE inventory_software_events (
    agent_id     UUID NOT NULL REFERENCES agents (id),
    at           TIMESTAMP WITH TIME ZONE NOT NULL,
    event        VARCHAR(20) NOT NULL,
    name         VARCHAR(300) NOT NULL,
    arch         VARCHAR(40),
    source       VARCHAR(20) NOT NULL,
    old_version  VARCHAR(200),
    new_version  VARCHAR(200)
);
CREATE INDEX inventory_software_events_agent ON inventory_software_events (agent_id, at);
