package com.gururmm.server.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A chunk of a running command's live output was stored ({@code command_output}, see
 * {@code AgentMessage.CommandOutput} for the fields). Published only after the insert, so a
 * subscriber that reads the store on this event finds the chunk there. {@code GET /api/events}
 * streams it as the opt-in type {@code command.output}; {@code GET /api/commands/{id}/output?follow=true}
 * wakes on it. {@code node} is the server node that stored it.
 */
public record CommandOutputReceived(UUID commandId, UUID agentId, long seq, String stream, long offset, String data, Instant at,
                                    String stopped, String node) {
    public static final Topic<CommandOutputReceived> TOPIC = Topic.of("command.output", CommandOutputReceived.class);
}
