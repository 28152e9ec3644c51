-- Issue 13, the cluster: which node holds each agent's connection, the nodes' heartbeats and the
-- leases that keep cluster-wide jobs to one node. Times that decide liveness and expiry are the
-- database's (CURRENT_TIMESTAMP), never a node's clock.

-- connected_node: the node holding the agent's current connection (NULL: offline).
-- connection_epoch: grows by one with every connection the agent opens anywhere, so the close of
-- an older connection (a node that lost the agent, or died and is swept) can never clear a newer one.
ALTER TABLE agents ADD COLUMN connected_node VARCHAR(200);
ALTER TABLE agents ADD COLUMN connection_epoch BIGINT DEFAULT 0 NOT NULL;
CREATE INDEX agents_connected_node ON agents (connected_node);

CREATE TABLE nodes (
    name          VARCHAR(200) PRIMARY KEY,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One row per cluster-wide job. holder NULL (or expires_at past): free to take.
CREATE TABLE leases (
    name         VARCHAR(100) PRIMARY KEY,
    holder       VARCHAR(200),
    acquired_at  TIMESTAMP WITH TIME ZONE,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    term         BIGINT DEFAULT 0 NOT NULL
);
