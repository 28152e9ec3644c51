package com.gururmm.server.command;

import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.events.CommandStatusChanged;
import com.gururmm.server.events.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With a bus that spans nodes: a command created, released or cancelled on another node reaches
 * its agent when the agent is connected to this one. The node that made the change could not
 * send it (the agent's link is here), so this node delivers it on the change's event: a queued
 * command through {@link CommandService#dispatchPending} (whose conditional claim in the
 * database keeps it to one send however many nodes try), a cancel as a {@code cancel_command}.
 * A missed event costs latency only: the agent's next connect delivers everything pending.
 * Not installed on a single node, where the node that changes a command always holds its link.
 */
public final class ClusterCommandRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterCommandRelay.class);

    private final EventBus.Subscription subscription;

    public ClusterCommandRelay(EventBus bus, CommandService commands, ConnectionRegistry registry, String node) {
        this.subscription = bus.subscribe(CommandStatusChanged.TOPIC, change -> {
            if (node.equals(change.node()) || change.agentId() == null || !registry.isOnline(change.agentId())) {
                return;
            }
            try {
                switch (change.status()) {
                    case "queued" -> commands.dispatchPending(change.agentId());
                    case "cancelled" -> registry.send(change.agentId(), new ServerMessage.CancelCommand(change.commandId()));
                    default -> {
                    }
                }
            } catch (RuntimeException e) {
                log.warn("could not relay command {} ({}) from node {} to agent {}: {}", change.commandId(), change.status(),
                        change.node(), change.agentId(), e.toString());
            }
        });
    }

    @Override
    public void close() {
        subscription.close();
    }
}
