package com.gururmm.server.gateway;

import com.gururmm.protocol.wire.AgentMessage;
import java.util.UUID;

/** What the gateway hands the monitoring feature: an agent connected (send it its checks), results arrived. */
public interface AgentChecks {
    /** The agent was welcomed; send it the checks it runs itself. */
    void onConnected(UUID agentId);

    /** Stores and evaluates the results (in order); returns the highest {@code seq} now stored, which the gateway acknowledges. */
    long onResults(UUID agentId, AgentMessage.CheckResults results);
}
