package com.gururmm.server.http;

import java.util.Map;
import java.util.UUID;

/**
 * 409 {@code agent_on_other_node}: a shell or a file transfer needs the agent's own connection,
 * and in a cluster that is on another node. The body names the node ({@code "node"}), as does the
 * {@code X-GuruRMM-Agent-Node} header, so a balancer rule or a client can send the request there.
 * Commands need no such hop (they are relayed over the bus); byte streams are not relayed yet.
 */
public final class AgentOnAnotherNode extends ApiException {
    public static final String NODE_HEADER = "X-GuruRMM-Agent-Node";
    private final String node;

    public AgentOnAnotherNode(UUID agentId, String hostname, String node, String thisNode, String what) {
        super(409, "agent_on_other_node", "Agent " + agentId + " (" + hostname + ") is connected to server node '" + node
                + "', not to this one ('" + thisNode + "'): " + what + " needs the node holding the agent's connection. Send the request to node '"
                + node + "' (docs/OPERATIONS.md, \"Cluster\").");
        this.node = node;
    }

    public String node() {
        return node;
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("node", node);
    }
}
