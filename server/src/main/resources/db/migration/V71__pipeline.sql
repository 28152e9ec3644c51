-- The release pipeline (SPEC section 8, docs/RELEASES.md "Release pipeline").

-- One build of one pushed commit. status: queued, running, succeeded, failed, skipped (the change
-- gate found nothing to build). components: the gate's answer, space-separated. manifest: the
-- build manifest (commit, components, every published file and its SHA-256) as JSON, once it
-- succeeded. The log is a file in <data dir>/pipeline/logs/<id>.log.
CREATE TABLE builds (
    id            UUID PRIMARY KEY,
    commit_sha    VARCHAR(40) NOT NULL,
    before_sha    VARCHAR(40),
    ref           VARCHAR(255) NOT NULL,
    source        VARCHAR(16) NOT NULL,
    delivery      VARCHAR(200) NOT NULL,
    pusher        VARCHAR(200),
    status        VARCHAR(16) NOT NULL,
    components    VARCHAR(200),
    error         VARCHAR(2000),
    manifest      TEXT,
    node          VARCHAR(200),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE,
    finished_at   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX builds_status_created ON builds (status, created_at);
CREATE INDEX builds_created ON builds (created_at);

-- Every webhook delivery accepted, so a replay is refused: by the forge's delivery id, and by the
-- signed body itself (the delivery header is not covered by the signature, so a replayer could
-- change it; the body it cannot).
CREATE TABLE pipeline_deliveries (
    body_sha256   VARCHAR(64) PRIMARY KEY,
    delivery      VARCHAR(200) NOT NULL UNIQUE,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
