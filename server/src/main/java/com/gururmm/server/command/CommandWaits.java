package com.gururmm.server.command;

import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.server.events.CommandStatusChanged;
import com.gururmm.server.events.EventBus;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code GET /api/commands/{id}?wait=SECONDS}: holds the request until the command leaves
 * {@code queued}/{@code running} or the deadline passes, instead of the client polling.
 *
 * <p>One bus subscription serves every waiter. A waiter registers <em>before</em> it reads
 * the command, so a change committed between the read and the wait still wakes it; after a
 * wake-up (or at the deadline) it reads the row again, so the answer is always the stored
 * state, never the event. A missed event (the bus dropped it) costs latency, not correctness.
 */
public final class CommandWaits implements AutoCloseable {
    /** The longest wait a request may ask for; a client wanting longer asks again. */
    public static final int MAX_WAIT_SECONDS = 300;

    private final ConcurrentHashMap<UUID, Set<CountDownLatch>> waiters = new ConcurrentHashMap<>();
    private final EventBus.Subscription subscription;

    public CommandWaits(EventBus bus) {
        this.subscription = bus.subscribe(CommandStatusChanged.TOPIC, this::wake);
    }

    private void wake(CommandStatusChanged change) {
        if (isWaiting(change.status())) {
            return;
        }
        Set<CountDownLatch> latches = waiters.get(change.commandId());
        if (latches != null) {
            latches.forEach(CountDownLatch::countDown);
        }
    }

    /** {@code queued} and {@code running} are the states a waiter waits through; anything else is an answer. */
    public static boolean isWaiting(String status) {
        return "queued".equals(status) || "running".equals(status);
    }

    /** Reads the command with {@code read}, waiting up to {@code max} for it to leave queued/running. */
    public CommandView await(UUID commandId, Duration max, Supplier<CommandView> read) {
        CountDownLatch latch = new CountDownLatch(1);
        // compute/computeIfPresent are atomic per key: a set is never dropped while a latch is being added to it.
        waiters.compute(commandId, (id, set) -> {
            Set<CountDownLatch> latches = set == null ? ConcurrentHashMap.newKeySet() : set;
            latches.add(latch);
            return latches;
        });
        try {
            CommandView view = read.get();
            if (!isWaiting(view.status()) || max.isZero()) {
                return view;
            }
            latch.await(max.toMillis(), TimeUnit.MILLISECONDS);
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return read.get();
        } finally {
            waiters.computeIfPresent(commandId, (id, set) -> {
                set.remove(latch);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Waiters currently held (for tests and metrics). */
    public int waiting() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void close() {
        subscription.close();
    }
}
