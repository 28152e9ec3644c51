package com.gururmm.server.events;

import java.util.function.Consumer;

/**
 * The server's one internal publish/subscribe path: agent presence, command status, results,
 * output chunks and alerts are published here, and long-poll waits, server-sent events, the
 * dashboard's live views, notifications and (with NATS) other nodes subscribe. No feature
 * reaches into another's internals to learn that something happened.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>{@link #publish} never blocks on a subscriber and never throws because of one: a slow
 *       or failing handler affects only itself.</li>
 *   <li>Each subscription receives the events of its topic in the order they were published
 *       (from one publishing thread), one at a time.</li>
 *   <li>The bus is for fan-out, not durability. An event may be missed (the process dies, a
 *       subscriber overflows, a node is partitioned); anything that must survive that is
 *       written to the database first, and a subscriber that must not miss work catches up
 *       from the database on start and when {@link Subscription#dropped()} grows.</li>
 * </ul>
 */
public interface EventBus extends AutoCloseable {

    /** Hands the event to every current subscriber of the topic; returns at once. */
    <T> void publish(Topic<T> topic, T event);

    /** Calls {@code handler} for every event published on the topic from now on until the subscription is closed. */
    <T> Subscription subscribe(Topic<T> topic, Consumer<? super T> handler);

    /** Whether the bus can deliver right now (the readiness probe asks); the in-process bus is reachable until closed. */
    boolean isReachable();

    @Override
    void close();

    /** A live subscription; closing it stops delivery (events already queued are discarded). */
    interface Subscription extends AutoCloseable {
        /** Events discarded because this subscriber fell too far behind. */
        long dropped();

        @Override
        void close();
    }
}
