-- Issue 10: tenancy. A client (an MSP's customer) has sites; every agent belongs to one site;
-- enrollment tokens are bound to a site; technicians and viewers are scoped to clients/sites.
-- Portable between PostgreSQL and H2 (MODE=PostgreSQL), like V1.
-- name_key is the trimmed, lower-cased name: names are unique case-insensitively
-- (a client's sites among themselves, clients among all clients).

CREATE TABLE clients (
    id          UUID PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    name_key    VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT clients_name_unique UNIQUE (name_key)
);

CREATE TABLE sites (
    id          UUID PRIMARY KEY,
    client_id   UUID NOT NULL REFERENCES clients (id),
    name        VARCHAR(200) NOT NULL,
    name_key    VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT sites_client_name_unique UNIQUE (client_id, name_key)
);
CREATE INDEX sites_client ON sites (client_id);

-- The default client and its default site (fixed ids: the server and V36 refer to them).
INSERT INTO clients (id, name, name_key, created_at)
VALUES ('00000000-0000-0000-0000-00000000c001', 'Default', 'default', CURRENT_TIMESTAMP);
INSERT INTO sites (id, client_id, name, name_key, created_at)
VALUES ('00000000-0000-0000-0000-00000000a001', '00000000-0000-0000-0000-00000000c001', 'Default', 'default', CURRENT_TIMESTAMP);

-- agents.site (the name) stays, kept equal to the site's name by the server, for code and
-- scripts that read the string; site_id is the truth. V36 fills it and makes it NOT NULL.
ALTER TABLE agents ADD COLUMN site_id UUID REFERENCES sites (id);
CREATE INDEX agents_site ON agents (site_id);

-- NULL: the token names no site (new machines land in the default site; a re-enrolling
-- machine keeps its site). A token goes with its site when the site is deleted.
ALTER TABLE enrollment_tokens ADD COLUMN site_id UUID REFERENCES sites (id) ON DELETE CASCADE;

-- What a technician or viewer may see: whole clients and/or single sites. Admins are global
-- and have no rows. A technician/viewer with no row sees nothing.
CREATE TABLE user_scopes (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  UUID REFERENCES clients (id) ON DELETE CASCADE,
    site_id    UUID REFERENCES sites (id) ON DELETE CASCADE,
    CONSTRAINT user_scopes_one_target CHECK ((client_id IS NULL) <> (site_id IS NULL))
);
CREATE INDEX user_scopes_user ON user_scopes (user_id);
