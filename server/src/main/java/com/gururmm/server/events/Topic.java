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
 *
 * <p>A {@link #local node-local} topic never leaves its node, also when the bus spans nodes: for
 * work that belongs to the node where the event happened (an agent's metrics samples are
 * evaluated by the node holding its connection, not once per node).
 */
public record Topic<T>(String name, Class<T> type, boolean nodeLocal) {
    public Topic {
        Objects.requireNonNull(type, "type");
        if (name == null || !name.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*")) {
            throw new IllegalArgumentException("topic name must be dot-separated lower-case tokens: " + name);
        }
    }

    public static <T> Topic<T> of(String name, Class<T> type) {
        return new Topic<>(name, type, false);
    }

    /** A topic delivered only to subscribers on the publishing node. */
    public static <T> Topic<T> local(String name, Class<T> type) {
        return new Topic<>(name, type, true);
    }
}
