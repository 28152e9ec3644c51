package com.gururmm.server.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: callers on many connections each hand one item here and wait; one writer thread
 * stores whatever has gathered in one transaction and answers each caller with its own outcome.
 * Commits, not statements, are what a burst of small writes costs (a file write each on the
 * embedded H2, a WAL flush on PostgreSQL): 10,000 agents' results or metrics batches in tens of
 * transactions instead of 10,000. A caller still waits for the commit that holds its item, so an
 * answer still means stored.
 *
 * <p>The writer takes the first waiting item at once and then whatever else is waiting, lingering
 * up to {@code linger} for more (zero: never wait for company, so an item that comes alone pays only
 * the hand-over between two threads), up to {@code maxWeight} per group. One transaction at a time,
 * so a burst never takes more than one pooled connection. When a group's transaction fails, every
 * caller in it gets that failure ({@link #write} throws it) and decides: resend later, or retry its
 * item alone.
 *
 * @param <T> what a caller stores
 * @param <R> what it learns (whether it was new, say)
 */
public final class GroupCommit<T, R> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private record Pending<T, R>(T item, CompletableFuture<R> done) {
    }

    private final String name;
    private final Function<List<T>, List<R>> storeAll;
    private final long lingerNanos;
    private final int maxWeight;
    private final ToIntFunction<T> weight;
    private final Duration maxWait;
    private final LinkedBlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    /**
     * @param storeAll  stores the items in one transaction; returns one outcome per item, in order
     * @param weight    an item's share of {@code maxWeight} (rows, say)
     * @param maxWait   how long a caller waits before giving up (the writer is backed up)
     */
    public GroupCommit(String name, Function<List<T>, List<R>> storeAll, Duration linger, int maxWeight, ToIntFunction<T> weight,
                       Duration maxWait) {
        this.name = name;
        this.storeAll = storeAll;
        this.lingerNanos = linger.toNanos();
        this.maxWeight = maxWeight;
        this.weight = weight;
        this.maxWait = maxWait;
        this.writer = Thread.ofPlatform().name(name + "-writer").daemon().start(this::run);
    }

    /**
     * Stores {@code item} in some group; its outcome once committed. Throws what the group's
     * transaction threw, or an {@link IllegalStateException} when stopping or backed up.
     */
    public R write(T item) {
        if (closed) {
            throw new IllegalStateException(name + ": server stopping");
        }
        Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            // Closed while adding: the writer may have drained the queue already, and no one would ever answer.
            throw new IllegalStateException(name + ": server stopping");
        }
        try {
            return pending.done().get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while storing", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + ": writes are backed up for " + maxWait.toSeconds() + " s");
        }
    }

    private void run() {
        while (!closed) {
            List<Pending<T, R>> group = new ArrayList<>();
            try {
                Pending<T, R> first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int total = weight.applyAsInt(first.item());
                long deadline = System.nanoTime() + lingerNanos;
                while (total < maxWeight) {
                    long left = deadline - System.nanoTime();
                    Pending<T, R> next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    group.add(next);
                    total += weight.applyAsInt(next.item());
                }
            } catch (InterruptedException e) {
                if (closed) {
                    // Items taken into this group are out of the queue: answer them here, or they would wait.
                    group.forEach(p -> p.done().completeExceptionally(new IllegalStateException(name + ": server stopping")));
                    break;
                }
                continue;
            }
            try {
                List<R> outcomes = storeAll.apply(group.stream().map(Pending::item).toList());
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).done().complete(outcomes.get(i));
                }
            } catch (RuntimeException e) {
                log.debug("{}: a group of {} could not be stored: {}", name, group.size(), e.toString());
                group.forEach(p -> p.done().completeExceptionally(e));
            }
        }
        Pending<T, R> left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new IllegalStateException(name + ": server stopping"));
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
