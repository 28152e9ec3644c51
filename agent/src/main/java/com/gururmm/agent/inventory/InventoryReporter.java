package com.gururmm.agent.inventory;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.SystemInventory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the full system inventory is sent: every {@code interval} (default a day, 90-110 % of it
 * so a fleet does not report in step), on connect when the last report is older than the
 * interval (after a random delay up to {@code startupDelayMax}, so a server restart does not get
 * the whole fleet's inventory in the same second), and whenever the server asks
 * ({@code collect_inventory}). The time of the last delivered report is kept in the state dir,
 * so a restart does not resend it.
 *
 * <p>Collections run one at a time on a virtual thread (they can take a while: {@code rpm -qa},
 * {@code apt-get -s}); requests that arrive meanwhile are answered by one more collection when
 * the current one ends, never by a pile of them.
 */
public final class InventoryReporter {
    private static final Logger log = LoggerFactory.getLogger(InventoryReporter.class);
    public static final Duration DEFAULT_INTERVAL = Duration.ofDays(1);
    public static final Duration DEFAULT_STARTUP_DELAY = Duration.ofMinutes(5);
    static final int MAX_REPORT_BYTES = com.gururmm.protocol.wire.Wire.MAX_FRAME_BYTES * 3 / 4;

    /** {@code GURURMM_INVENTORY_INTERVAL_SECONDS} (60 s .. 30 days) and {@code GURURMM_INVENTORY_STARTUP_DELAY_SECONDS} (0 .. 1 day). */
    public record Settings(Duration interval, Duration startupDelayMax) {
        public static Settings fromEnvironment(Map<String, String> env) {
            return new Settings(seconds(env, "GURURMM_INVENTORY_INTERVAL_SECONDS", DEFAULT_INTERVAL, 60, 30 * 86400L),
                    seconds(env, "GURURMM_INVENTORY_STARTUP_DELAY_SECONDS", DEFAULT_STARTUP_DELAY, 0, 86400L));
        }

        private static Duration seconds(Map<String, String> env, String key, Duration fallback, long min, long max) {
            String raw = env.get(key);
            if (raw == null || raw.isBlank()) {
                return fallback;
            }
            try {
                long value = Long.parseLong(raw.trim());
                if (value < min || value > max) {
                    throw new IllegalArgumentException(key + " is " + value + "; use " + min + " to " + max + " seconds");
                }
                return Duration.ofSeconds(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " is '" + raw + "'; use a whole number of seconds");
            }
        }
    }

    private final SystemInventoryCollector collector;
    private final Path stampFile;
    private final Settings settings;
    private final ScheduledExecutorService timer;
    private final Predicate<AgentMessage> send;
    private final Clock clock;
    private final Object lock = new Object();
    private ScheduledFuture<?> next;
    private boolean collecting;
    private boolean again;
    private UUID pendingRequest;

    /** @param send sends a frame; false when not connected */
    public InventoryReporter(SystemInventoryCollector collector, Path stampFile, Settings settings, ScheduledExecutorService timer,
                             Predicate<AgentMessage> send, Clock clock) {
        this.collector = collector;
        this.stampFile = stampFile;
        this.settings = settings;
        this.timer = timer;
        this.send = send;
        this.clock = clock;
    }

    /** The link is up (welcome received): report soon if the last report is due. */
    public void onConnected() {
        Instant last = lastReported();
        Duration age = last == null ? settings.interval() : Duration.between(last, clock.instant());
        Duration wait = age.compareTo(settings.interval()) >= 0 ? random(Duration.ZERO, settings.startupDelayMax())
                : settings.interval().minus(age).plus(random(Duration.ZERO, settings.interval().dividedBy(10)));
        schedule(wait);
    }

    /** The server asked for a fresh inventory. */
    public void onRequest(UUID requestId) {
        synchronized (lock) {
            pendingRequest = requestId;
        }
        trigger();
    }

    private void schedule(Duration wait) {
        synchronized (lock) {
            if (next != null) {
                next.cancel(false);
            }
            next = timer.schedule(this::trigger, wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void trigger() {
        synchronized (lock) {
            if (collecting) {
                again = true;
                return;
            }
            collecting = true;
        }
        Thread.ofVirtual().name("inventory-collect").start(this::collectLoop);
    }

    private void collectLoop() {
        while (true) {
            UUID request;
            synchronized (lock) {
                request = pendingRequest;
                pendingRequest = null;
                again = false;
            }
            try {
                long started = System.nanoTime();
                // Well under the frame limit, leaving room for the envelope and JSON escaping.
                SystemInventory inventory = SystemInventoryCollector.fitting(collector.collect(), MAX_REPORT_BYTES);
                boolean sent = send.test(new AgentMessage.SystemInventoryReport(request, inventory));
                log.info("system inventory collected in {} ms ({} packages, {} services, {} errors){}",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), inventory.software().size(),
                        inventory.services().size(), inventory.errors().size(), sent ? "" : "; not connected, sent on reconnect");
                if (sent) {
                    stamp(inventory.collectedAt());
                }
            } catch (RuntimeException | LinkageError e) {
                log.warn("system inventory failed: {}", e.toString());
            }
            synchronized (lock) {
                if (!again) {
                    collecting = false;
                    break;
                }
            }
        }
        // The next periodic report, jittered.
        schedule(random(settings.interval().multipliedBy(9).dividedBy(10), settings.interval().multipliedBy(11).dividedBy(10)));
    }

    private Instant lastReported() {
        try {
            return Files.isRegularFile(stampFile) ? Instant.parse(Files.readString(stampFile).trim()) : null;
        } catch (IOException | DateTimeParseException e) {
            return null;
        }
    }

    private void stamp(Instant at) {
        try {
            Files.writeString(stampFile, at.toString() + "\n");
        } catch (IOException e) {
            log.warn("cannot record the inventory report time in {}: {}", stampFile, e.toString());
        }
    }

    private static Duration random(Duration min, Duration max) {
        long span = max.toMillis() - min.toMillis();
        return span <= 0 ? min : min.plusMillis(ThreadLocalRandom.current().nextLong(span + 1));
    }
}
