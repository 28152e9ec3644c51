-- Issue 13, relaying between nodes: work bound to one node (a shell's sockets, its recording, a
-- file transfer through the agent's connection) is passed on to that node when another one is asked.
-- nodes.url: where the other nodes reach this one (GURURMM_NODE_URL, or derived at start).
-- tunnel_sessions.node: the node that holds the live session and keeps its recording (NULL:
-- sessions from before this column, which belong to whichever node restarts first).
ALTER TABLE nodes ADD COLUMN url VARCHAR(500);
ALTER TABLE tunnel_sessions ADD COLUMN node VARCHAR(200);
