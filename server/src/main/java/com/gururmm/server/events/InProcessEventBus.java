package com.gururmm.server.events;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node bus. Every subscription owns a bounded queue drained by its own virtual
 * thread, so publishing is a non-blocking offer per subscriber and a slow handler (an SSE
 * client on a bad link, a webhook) delays only itself. When a queue is full the newest event
 * is discarded and counted ({@link Subscription#dropped()}) instead of blocking the publisher
 * (usually an agent's WebSocket thread) or growing without bound.
 */
public final class InProcessEventBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(InProcessEventBus.class);

    /** Per-subscriber backlog; at 10,000 agents a fleet-wide burst fits, a stuck subscriber cannot exhaust memory. */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;

    private final int queueCapacity;
    private final Map<String, List<QueuedSubscription<?>>> byTopic = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public InProcessEventBus() {
        this(DEFAULT_QUEUE_CAPACITY);
    }

    public InProcessEventBus(int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive");
        }
        this.queueCapacity = queueCapacity;
    }

    @Override
    public <T> void publish(Topic<T> topic, T event) {
        if (event == null || closed.get()) {
            return;
        }
        if (!topic.type().isInstance(event)) {
            throw new IllegalArgumentException("topic " + topic.name() + " carries " + topic.type().getSimpleName()
                    + ", not " + event.getClass().getSimpleName());
        }
        for (QueuedSubscription<?> subscription : byTopic.getOrDefault(topic.name(), List.of())) {
            subscription.offer(event);
        }
    }

    @Override
    public <T> Subscription subscribe(Topic<T> topic, Consumer<? super T> handler) {
        if (closed.get()) {
            throw new IllegalStateException("the event bus is closed");
        }
        QueuedSubscription<T> subscription = new QueuedSubscription<>(topic, handler);
        byTopic.computeIfAbsent(topic.name(), name -> new CopyOnWriteArrayList<>()).add(subscription);
        subscription.start();
        return subscription;
    }

    @Override
    public boolean isReachable() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            byTopic.values().forEach(list -> list.forEach(QueuedSubscription::stop));
            byTopic.clear();
        }
    }

    private final class QueuedSubscription<T> implements Subscription {
        private final Topic<T> topic;
        private final Consumer<? super T> handler;
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(queueCapacity);
        private final AtomicLong dropped = new AtomicLong();
        private volatile boolean running = true;
        private Thread worker;

        QueuedSubscription(Topic<T> topic, Consumer<? super T> handler) {
            this.topic = topic;
            this.handler = handler;
        }

        void start() {
            worker = Thread.ofVirtual().name("bus-" + topic.name()).start(this::drain);
        }

        void offer(Object event) {
            if (running && !queue.offer(event)) {
                long n = dropped.incrementAndGet();
                // Powers of two: a stuck subscriber is visible in the log without one line per event.
                if (Long.bitCount(n) == 1) {
                    log.warn("event bus: a subscriber of {} is {} events behind; dropped {} so far", topic.name(), queueCapacity, n);
                }
            }
        }

        private void drain() {
            while (running) {
                Object event;
                try {
                    event = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    handler.accept(topic.type().cast(event));
                } catch (RuntimeException e) {
                    log.warn("event bus: a subscriber of {} failed on an event: {}", topic.name(), e.toString());
                }
            }
        }

        @Override
        public long dropped() {
            return dropped.get();
        }

        void stop() {
            running = false;
            queue.clear();
            if (worker != null) {
                worker.interrupt();
            }
        }

        @Override
        public void close() {
            List<QueuedSubscription<?>> list = byTopic.get(topic.name());
            if (list != null) {
                list.remove(this);
            }
            stop();
        }
    }
}
