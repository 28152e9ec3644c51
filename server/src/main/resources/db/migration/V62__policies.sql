-- Issue 12: policies. A policy bundles monitoring checks (policy_checks, same settings as
-- /api/checks) and scheduled tasks (schedules rows with policy_id set); it applies where it is
-- assigned: the whole fleet, a client (every site of it) or a site, minus excluded agents.

CREATE TABLE policies (
    id           UUID PRIMARY KEY,
    name         VARCHAR(200) NOT NULL,
    name_key     VARCHAR(200) NOT NULL,
    description  VARCHAR(4000),
    created_by   VARCHAR(320) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT policies_name_unique UNIQUE (name_key)
);

CREATE TABLE policy_checks (
    id          UUID PRIMARY KEY,
    policy_id   UUID NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    check_key   VARCHAR(200) NOT NULL,
    -- the check as a JSON CheckRequest (kind, severity and the kind's settings)
    definition  TEXT NOT NULL,
    CONSTRAINT policy_checks_key_unique UNIQUE (policy_id, check_key)
);

-- level fleet: both ids NULL; client: client_id; site: site_id. One assignment per policy and place.
CREATE TABLE policy_assignments (
    id          UUID PRIMARY KEY,
    policy_id   UUID NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    level       VARCHAR(10) NOT NULL,
    client_id   UUID REFERENCES clients (id) ON DELETE CASCADE,
    site_id     UUID REFERENCES sites (id) ON DELETE CASCADE,
    place_key   VARCHAR(100) NOT NULL,
    created_by  VARCHAR(320) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT policy_assignments_unique UNIQUE (policy_id, place_key)
);

CREATE TABLE policy_exclusions (
    policy_id   UUID NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    agent_id    UUID NOT NULL REFERENCES agents (id),
    created_by  VARCHAR(320) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (policy_id, agent_id)
);

-- A policy's tasks go with it.
ALTER TABLE schedules ADD CONSTRAINT schedules_policy_fk FOREIGN KEY (policy_id) REFERENCES policies (id) ON DELETE CASCADE;
