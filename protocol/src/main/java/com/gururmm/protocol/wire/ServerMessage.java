package com.gururmm.protocol.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/** Messages the server sends to an agent. See {@link AgentMessage} for the delivery rules. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerMessage.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = ServerMessage.RunCommand.class, name = "run_command"),
        @JsonSubTypes.Type(value = ServerMessage.CancelCommand.class, name = "cancel_command"),
        @JsonSubTypes.Type(value = ServerMessage.ResultAck.class, name = "result_ack"),
        @JsonSubTypes.Type(value = ServerMessage.Refused.class, name = "refused"),
})
public sealed interface ServerMessage {

    /** Answer to {@link AgentMessage.Hello}: the server's clock and the heartbeat cadence. */
    record Welcome(int protocolVersion, UUID agentId, Instant serverTime, int heartbeatSeconds)
            implements ServerMessage {
    }

    /**
     * Run a script. May be delivered more than once (after a reconnect); the agent runs a
     * given {@code commandId} at most once.
     */
    record RunCommand(
            UUID commandId,
            String commandType,
            String script,
            String context,
            int timeoutSeconds) implements ServerMessage {
    }

    /** Stop a running command; the agent kills its process tree and reports {@code cancelled}. */
    record CancelCommand(UUID commandId) implements ServerMessage {
    }

    /** The result for {@code commandId} is stored; the agent may drop it from its outbox. */
    record ResultAck(UUID commandId) implements ServerMessage {
    }

    /** The server could not accept a frame; nothing was changed. */
    record Refused(String error, String message) implements ServerMessage {
    }
}
