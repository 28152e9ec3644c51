package com.gururmm.server.notify;

import com.gururmm.server.config.NotificationSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends pending deliveries from the database, retrying with exponential back-off.
 *
 * <p>Algorithm: one loop thread wakes when routing created deliveries ({@link #wake}), at the
 * soonest {@code next_attempt_at} or digest window close, and at least once a second. Each pass
 * first closes due digest windows ({@link DigestWindows}), then asks for the channels that have
 * due deliveries and, per channel, takes at most as many rows as that channel has free slots
 * ({@code max_concurrency}, a semaphore per channel) and sends each on its own virtual thread.
 * A slow or dead channel therefore fills only its own slots: other channels' rows are still
 * fetched and sent in the same pass. Rows already in flight are remembered in memory, so a pass
 * never sends a row twice while an attempt is running.
 *
 * <p>After an attempt the outcome is logged in {@code notification_attempts} and the row moves
 * to {@code delivered}, to {@code failed} (attempts used up), or stays {@code pending} with the
 * next attempt at now + schedule[n] ± 20 % jitter. Everything is in the database, so a restarted
 * server resumes exactly the rows that were pending. The one gap: a process killed after the
 * receiver accepted but before the outcome was written sends that delivery again on restart;
 * receivers can drop the repeat by its {@code X-GuruRMM-Delivery} id.
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration MAX_SLEEP = Duration.ofSeconds(1);

    private final DeliveryStore deliveries;
    private final ChannelStore channels;
    private final DigestWindows digests;
    private final NotificationSettings settings;
    private final WebhookSender webhooks;
    private final SmtpSender smtp;
    private final Clock clock;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Limiter> limiters = new ConcurrentHashMap<>();
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gururmm-notify-send-", 0).factory());
    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean running;
    private Thread loop;
    private Instant nextPurge = Instant.EPOCH;

    private record Limiter(int max, Semaphore slots) {
    }

    Dispatcher(DeliveryStore deliveries, ChannelStore channels, DigestWindows digests, NotificationSettings settings, Clock clock) {
        this.deliveries = deliveries;
        this.channels = channels;
        this.digests = digests;
        this.settings = settings;
        this.webhooks = new WebhookSender(settings, clock);
        this.smtp = new SmtpSender(settings);
        this.clock = clock;
    }

    /** In a cluster only the holder of the dispatch lease sends (set before {@link #start()}). */
    private volatile java.util.function.BooleanSupplier active = () -> true;

    void activeWhen(java.util.function.BooleanSupplier active) {
        this.active = active;
    }

    void start() {
        running = true;
        loop = Thread.ofVirtual().name("gururmm-notify-dispatcher").start(this::run);
    }

    /** Something became due (a delivery was created): run a pass now instead of at the next tick. */
    void wake() {
        wakeUp.release();
    }

    private void run() {
        while (running) {
            try {
                if (active.getAsBoolean()) {
                    digests.closeDue();
                    pass();
                    purgeWhenDue();
                }
            } catch (RuntimeException e) {
                log.warn("notification dispatch pass failed; retrying in a second: {}", e.toString());
            }
            try {
                long sleep = sleepMillis();
                if (wakeUp.tryAcquire(sleep, TimeUnit.MILLISECONDS)) {
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("notification dispatcher could not read its next due time: {}", e.toString());
                try {
                    Thread.sleep(MAX_SLEEP.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private long sleepMillis() {
        Instant now = clock.instant();
        Instant wakeAt = now.plus(MAX_SLEEP);
        for (Optional<Instant> next : java.util.List.of(deliveries.nextDue(), deliveries.nextWindowClose())) {
            if (next.isPresent() && next.get().isBefore(wakeAt)) {
                wakeAt = next.get();
            }
        }
        return Math.max(10, Duration.between(now, wakeAt).toMillis());
    }

    private void pass() {
        Instant now = clock.instant();
        for (UUID channelId : deliveries.channelsWithDue(now)) {
            Optional<ChannelStore.ChannelRow> channel = channels.find(channelId);
            if (channel.isEmpty()) {
                continue;
            }
            Limiter limiter = limiters.compute(channelId, (id, old) -> old != null && old.max() == channel.get().maxConcurrency() ? old
                    : new Limiter(channel.get().maxConcurrency(), new Semaphore(channel.get().maxConcurrency())));
            int free = limiter.slots().availablePermits();
            if (free <= 0) {
                continue;
            }
            for (DeliveryStore.DeliveryRow row : deliveries.due(channelId, now, free + inFlight.size())) {
                if (inFlight.contains(row.id()) || !limiter.slots().tryAcquire()) {
                    continue;
                }
                inFlight.add(row.id());
                senders.submit(() -> {
                    try {
                        // The row was read before an attempt that just finished may have committed: only
                        // send it if it is still the same pending attempt (that attempt commits before it
                        // leaves inFlight, so this read sees its result).
                        Optional<DeliveryStore.DeliveryRow> current = deliveries.find(row.id());
                        if (current.isEmpty() || !current.get().status().equals(DeliveryStore.PENDING)
                                || current.get().attempts() != row.attempts()) {
                            return;
                        }
                        attempt(channel.get(), current.get(), settings.maxAttempts());
                    } catch (RuntimeException e) {
                        log.warn("notification delivery {} attempt could not be recorded: {}", row.id(), e.toString());
                    } finally {
                        inFlight.remove(row.id());
                        limiter.slots().release();
                        wake();
                    }
                });
            }
        }
    }

    /** Hourly: finished deliveries past the retention, routed markers past the catch-up window (plus a day). */
    private void purgeWhenDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(Duration.ofHours(1));
        int removed = deliveries.purge(now.minus(settings.retention()), now.minus(settings.catchUpWindow()).minus(Duration.ofDays(1)));
        if (removed > 0) {
            log.info("removed {} notification deliveries finished more than {} days ago", removed, settings.retention().toDays());
        }
    }

    /** One attempt at {@code row}, logged and moved on; returns what was recorded. */
    DeliveryStore.AttemptRow attempt(ChannelStore.ChannelRow channel, DeliveryStore.DeliveryRow row, int maxAttempts) {
        int number = row.attempts() + 1;
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Outcome outcome;
        if (!channel.enabled()) {
            outcome = Outcome.failure(null, null, "the channel is disabled");
        } else {
            outcome = sendOnce(channel, row);
        }
        long durationMs = (System.nanoTime() - t0) / 1_000_000;
        DeliveryStore.AttemptRow attempt = new DeliveryStore.AttemptRow(row.id(), number, started, durationMs, outcome.ok(),
                outcome.httpStatus(), outcome.reply(), outcome.error());
        if (!running && Thread.currentThread().isInterrupted()) {
            // Shutting down mid-attempt: leave the row pending, unchanged; the next start sends it.
            return attempt;
        }
        Instant now = clock.instant();
        if (outcome.ok()) {
            deliveries.recordAttempt(attempt, DeliveryStore.DELIVERED, null, null, now);
        } else if (number >= maxAttempts || !channel.enabled()) {
            deliveries.recordAttempt(attempt, DeliveryStore.FAILED, null, outcome.error(), now);
            log.warn("notification delivery {} to channel '{}' failed for good after {} attempt(s): {}", row.id(), channel.name(),
                    number, outcome.error());
        } else {
            Instant next = now.plus(jittered(settings.waitAfter(number)));
            deliveries.recordAttempt(attempt, DeliveryStore.PENDING, next, outcome.error(), null);
            log.info("notification delivery {} to channel '{}' attempt {} failed ({}); next attempt at {}", row.id(), channel.name(),
                    number, outcome.error(), next);
        }
        return attempt;
    }

    private Outcome sendOnce(ChannelStore.ChannelRow channel, DeliveryStore.DeliveryRow row) {
        try {
            Notice notice = Notice.parse(row.payload());
            ChannelSettings parsed = channel.parsed();
            return switch (channel.kind()) {
                case "webhook" -> webhooks.send(parsed, channel.secret(), notice, row.id());
                case "email" -> smtp.send(parsed, channel.secret(), notice, row.id());
                default -> Outcome.failure(null, null, "unknown channel type '" + channel.kind() + "'");
            };
        } catch (RuntimeException e) {
            return Outcome.failure(null, null, "could not send: " + e);
        }
    }

    /** {@code base} ± 20 %, so deliveries that failed together do not retry together. */
    static Duration jittered(Duration base) {
        double factor = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.max(1, Math.round(base.toMillis() * factor)));
    }

    @Override
    public void close() {
        running = false;
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        senders.shutdownNow();
        try {
            senders.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
