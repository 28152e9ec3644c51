package com.gururmm.server.command;

import com.gururmm.server.events.CommandOutputReceived;
import com.gururmm.server.events.CommandStatusChanged;
import com.gururmm.server.events.EventBus;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the followers of a command's output ({@code GET /api/commands/{id}/output?follow=true})
 * when a chunk of it is stored or its status changes, on this node or another.
 *
 * <p>As with {@link CommandWaits}: one bus subscription per topic serves every follower; a
 * follower registers before it reads, and on waking reads the store again, so the answer is the
 * stored chunks, never the event, and a lost event costs latency (the follower also re-reads at
 * its keepalive), not output. A wake-up is a flag, not a queue: any number of events between two
 * reads cost one read.
 */
public final class OutputFollowers implements AutoCloseable {
    /** One follower's doorbell. */
    public static final class Bell {
        private final ArrayBlockingQueue<Boolean> rung = new ArrayBlockingQueue<>(1);

        void ring() {
            rung.offer(Boolean.TRUE);
        }

        /** Waits up to {@code millis} for a ring; true if one came. */
        public boolean await(long millis) throws InterruptedException {
            return rung.poll(millis, TimeUnit.MILLISECONDS) != null;
        }
    }

    private final ConcurrentHashMap<UUID, Set<Bell>> bells = new ConcurrentHashMap<>();
    private final EventBus.Subscription chunks;
    private final EventBus.Subscription statuses;

    public OutputFollowers(EventBus bus) {
        this.chunks = bus.subscribe(CommandOutputReceived.TOPIC, event -> ring(event.commandId()));
        this.statuses = bus.subscribe(CommandStatusChanged.TOPIC, event -> ring(event.commandId()));
    }

    private void ring(UUID commandId) {
        Set<Bell> set = bells.get(commandId);
        if (set != null) {
            set.forEach(Bell::ring);
        }
    }

    public Bell register(UUID commandId) {
        Bell bell = new Bell();
        bells.compute(commandId, (id, set) -> {
            Set<Bell> out = set == null ? ConcurrentHashMap.newKeySet() : set;
            out.add(bell);
            return out;
        });
        return bell;
    }

    public void unregister(UUID commandId, Bell bell) {
        bells.computeIfPresent(commandId, (id, set) -> {
            set.remove(bell);
            return set.isEmpty() ? null : set;
        });
    }

    /** Followers currently attached (tests). */
    public int following() {
        return bells.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void close() {
        chunks.close();
        statuses.close();
    }
}
