package com.gururmm.server.events;

import java.util.Objects;

/**
 * A named stream of one kind of event. The name is the subject on the wire once the bus spans
 * nodes (NATS subject syntax: dot-separated tokens, e.g. {@code agent.presence}); the type is
 * what a subscriber receives and what a remote bus encodes as JSON, so it should be a record
 * made of values (ids, strings, numbers, instants), never a live object.
 *
 * <p>Each feature declares its topics beside its own code (see {@link AgentPresence#TOPIC});
 * a subscriber depends on the event record, not on the publisher's internals.
 */
public record Topic<T>(String name, Class<T> type) {
    public Topic {
        Objects.requireNonNull(type, "type");
        if (name == null || !name.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*")) {
            throw new IllegalArgumentException("topic name must be dot-separated lower-case tokens: " + name);
        }
    }

    public static <T> Topic<T> of(String name, Class<T> type) {
        return new Topic<>(name, type);
    }
}
