package com.gururmm.server.agent;

import com.gururmm.protocol.wire.ServerMessage;
import java.util.UUID;

/** One live connection to an agent, as the rest of the server sees it. */
public interface AgentLink {
    UUID agentId();

    /** Queues the message for sending; false if the connection is already gone. */
    boolean send(ServerMessage message);

    /** Where the connection comes from (the client address, after trusted proxies), for logs and the audit log. */
    default String remoteAddress() {
        return "unknown";
    }

    /** Closes the connection, telling the agent why. */
    void close(String reason);
}
