-- Issue 8, findings 4 and 8. Portable between PostgreSQL and H2 (MODE=PostgreSQL), like V1.

-- The server host's own agent: commands on it are admin-only (it can read the server's data dir).
-- Set when the agent enrolls with a token the server minted for its own agent, or when its
-- machine_uid is the server host's machine id. Never cleared automatically.
ALTER TABLE agents ADD COLUMN server_host BOOLEAN NOT NULL DEFAULT FALSE;

-- A token the server created for its own local agent (LocalAgentLauncher); an agent enrolling
-- with it is the server host.
ALTER TABLE enrollment_tokens ADD COLUMN server_host BOOLEAN NOT NULL DEFAULT FALSE;

-- Why a command has status 'held': it was queued for the machine's previous identity when the
-- machine enrolled again (machine ids are not secret), so it waits for an admin to release or
-- discard it instead of going to whoever enrolled.
ALTER TABLE commands ADD COLUMN hold_reason VARCHAR(2000);
