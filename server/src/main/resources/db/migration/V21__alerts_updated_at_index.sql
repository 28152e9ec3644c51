-- Notifications catch up on alert changes since a time (after a restart or lost events).
CREATE INDEX alerts_updated_at ON alerts (updated_at);
