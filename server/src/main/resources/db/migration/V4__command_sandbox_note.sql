-- SPEC section 7: a command run by an agent inside a restricted mount namespace (systemd's
-- ProtectSystem=strict) sees "/" read-only. The agent says so with each result; keep it.
ALTER TABLE commands ADD COLUMN sandbox_note VARCHAR(1000);
