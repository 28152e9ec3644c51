package com.gururmm.protocol.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.gururmm.protocol.Json;

/** Encodes and decodes WebSocket frames; the only place that knows messages are JSON. */
public final class Wire {
    /**
     * The version this build speaks and says in its {@code hello}. Bumped only when a message
     * changes incompatibly (a field removed, renamed or given a new meaning, a new message the
     * peer must understand); additive changes do not bump it (see {@link ProtocolRange}).
     */
    public static final int PROTOCOL_VERSION = 1;

    /**
     * The oldest agent protocol this server still welcomes. An agent below it is offered its
     * update and then refused; raise it only once every agent has had a release that speaks it.
     */
    public static final int MIN_SUPPORTED_PROTOCOL = 1;

    /** The newest version this build can speak; an agent saying a higher one is newer than the server and is refused. */
    public static final int MAX_SUPPORTED_PROTOCOL = PROTOCOL_VERSION;

    /** {@link #MIN_SUPPORTED_PROTOCOL} to {@link #MAX_SUPPORTED_PROTOCOL}. */
    public static final ProtocolRange SUPPORTED = new ProtocolRange(MIN_SUPPORTED_PROTOCOL, MAX_SUPPORTED_PROTOCOL);

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

    /** Only a JSON object whose {@code type} field names the type counts as "unknown type", not e.g. an array. */
    private static boolean isObjectOfType(String frame, String typeId) {
        try {
            JsonNode tree = MAPPER.readTree(frame);
            return tree.isObject() && tree.path("type").isTextual() && tree.path("type").asText().equals(typeId);
        } catch (JsonProcessingException e) {
            return false;
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
        } catch (InvalidTypeIdException e) {
            if (e.getTypeId() != null && !e.getTypeId().isBlank() && isObjectOfType(frame, e.getTypeId())) {
                // A well-formed frame of a type this build does not know: a newer peer's additive message.
                throw ProtocolException.unknownType(e.getTypeId());
            }
            throw new ProtocolException("malformed " + type.getSimpleName() + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ProtocolException("malformed " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }
}
