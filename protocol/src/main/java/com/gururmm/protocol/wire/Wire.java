package com.gururmm.protocol.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.Json;

/** Encodes and decodes WebSocket frames; the only place that knows messages are JSON. */
public final class Wire {
    /** Bumped when a message changes incompatibly; the server refuses versions it does not speak. */
    public static final int PROTOCOL_VERSION = 1;

    /**
     * Largest text frame either side accepts. A command result carries up to 1 MiB of stdout
     * and 1 MiB of stderr, each of which may grow by JSON escaping, and a script is up to 1 MiB.
     */
    public static final int MAX_FRAME_BYTES = 8 * 1024 * 1024;

    private static final ObjectMapper MAPPER = Json.mapper();

    private Wire() {
    }

    public static String encode(AgentMessage message) {
        return write(message, AgentMessage.class);
    }

    public static String encode(ServerMessage message) {
        return write(message, ServerMessage.class);
    }

    public static AgentMessage decodeAgentMessage(String frame) throws ProtocolException {
        return read(frame, AgentMessage.class);
    }

    public static ServerMessage decodeServerMessage(String frame) throws ProtocolException {
        return read(frame, ServerMessage.class);
    }

    private static String write(Object message, Class<?> type) {
        try {
            return MAPPER.writerFor(type).writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    private static <T> T read(String frame, Class<T> type) throws ProtocolException {
        if (frame == null || frame.isBlank()) {
            throw new ProtocolException("empty frame");
        }
        try {
            T message = MAPPER.readValue(frame, type);
            if (message == null) {
                throw new ProtocolException("frame is JSON null");
            }
            return message;
        } catch (JsonProcessingException e) {
            throw new ProtocolException("malformed " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }
}
