package com.gururmm.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for metrics: every connection's batch is queued here and one writer thread stores
 * whatever has gathered in one transaction, then answers each caller. 10,000 agents at one sample
 * a minute are 167 batches a second; written one transaction each, the commits (a file write each
 * on the embedded H2, a WAL flush on PostgreSQL) cost the server more CPU than everything else the
 * ingestion does (docs/BENCHMARKS.md). The writer waits up to {@link #LINGER_MILLIS} after the first
 * batch for others, so a sample is acknowledged at most that much later; a group holds at most
 * {@link #MAX_ROWS} rows. The caller still waits for its own commit, so an acknowledgement still
 * means stored. Also the bound on metrics writes in flight: one transaction at a time, so a fleet
 * resending its backlogs never takes more than one pooled connection from command results and API
 * calls.
 */
final class GroupWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupWriter.class);
    static final long LINGER_MILLIS = 100;
    static final int MAX_ROWS = 2000;

    private record Pending(MetricStore.AgentRows rows, CompletableFuture<boolean[]> done) {
    }

    private final MetricStore store;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    GroupWriter(MetricStore store) {
        this.store = store;
        this.writer = Thread.ofPlatform().name("metrics-writer").daemon().start(this::run);
    }

    /** Stores one agent's rows (in some group); returns, per row, whether it was new. */
    boolean[] write(UUID agentId, List<MetricStore.Row> rows) {
        if (rows.isEmpty()) {
            return new boolean[0];
        }
        if (closed) {
            throw new IllegalStateException("server stopping; the agent will resend its metrics");
        }
        CompletableFuture<boolean[]> done = new CompletableFuture<>();
        Pending pending = new Pending(new MetricStore.AgentRows(agentId, rows), done);
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            // Closed while adding: the writer may have drained the queue already, and no one would ever answer.
            throw new IllegalStateException("server stopping; the agent will resend its metrics");
        }
        try {
            return done.get(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing metrics", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("metrics writes are backed up for 2 minutes; the agent will resend");
        }
    }

    private void run() {
        while (!closed) {
            List<Pending> group = new ArrayList<>();
            try {
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int rows = first.rows().rows().size();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
                while (rows < MAX_ROWS) {
                    long left = deadline - System.nanoTime();
                    Pending next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    group.add(next);
                    rows += next.rows().rows().size();
                }
            } catch (InterruptedException e) {
                if (closed) {
                    // Batches taken into this group are out of the queue: answer them here, or they would wait 2 minutes.
                    group.forEach(p -> p.done().completeExceptionally(new IllegalStateException("server stopping")));
                    break;
                }
                continue;
            }
            try {
                boolean[][] inserted = store.insertRecent(group.stream().map(Pending::rows).toList());
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).done().complete(inserted[i]);
                }
            } catch (RuntimeException e) {
                log.warn("could not store a group of {} metrics batches; their agents will resend: {}", group.size(), e.toString());
                group.forEach(p -> p.done().completeExceptionally(e));
            }
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new IllegalStateException("server stopping"));
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
