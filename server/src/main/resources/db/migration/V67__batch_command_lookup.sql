-- Issue 13: batch.progress events look up the batch of a command whose status changed.
CREATE INDEX batch_commands_command ON batch_commands (command_id);
