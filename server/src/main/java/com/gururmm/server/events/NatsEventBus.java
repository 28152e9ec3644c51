package com.gururmm.server.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.Json;
import com.gururmm.server.config.JdbcUrls;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus between server nodes ({@code NATS_URL} set). An event is published as JSON on subject
 * {@code gururmm.events.<topic>}; every node's subscribers (this node's too: NATS delivers a
 * connection's own messages back to it) receive it, so a dashboard on node B sees an agent
 * connect to node A, and a waiter on B wakes when A stores the result.
 *
 * <p>Each subscription has its own NATS dispatcher (its own thread), so delivery is ordered per
 * subscription and a slow handler delays only itself; past the client's pending limits NATS
 * drops messages for that slow consumer, which {@link Subscription#dropped()} reports. While the
 * connection is down, jnats buffers outgoing messages and reconnects forever; a publish that
 * cannot even be buffered is counted and logged, never thrown at the caller (the contract of
 * {@link EventBus}: the bus is fan-out, the database is the record).
 */
public final class NatsEventBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(NatsEventBus.class);
    private static final ObjectMapper MAPPER = Json.mapper();
    static final String SUBJECT_PREFIX = "gururmm.events.";

    private final Connection connection;
    private final AtomicLong publishFailures = new AtomicLong();
    /** Node-local topics ({@link Topic#local}) never go over NATS: they are delivered in this process. */
    private final InProcessEventBus local = new InProcessEventBus();

    private NatsEventBus(Connection connection) {
        this.connection = connection;
    }

    /** Connects to {@code url} (e.g. {@code nats://127.0.0.1:4222}); waits up to {@code timeout} for the first connection. */
    public static NatsEventBus connect(String url, Duration timeout) {
        Options options = new Options.Builder()
                .server(url)
                .connectionName("gururmm-server")
                .connectionTimeout(timeout)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofSeconds(1))
                .connectionListener((conn, type) -> log.info("NATS connection: {}", type))
                .errorListener(new io.nats.client.ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        log.warn("NATS error: {}", error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        log.warn("NATS exception: {}", exp.toString());
                    }

                    @Override
                    public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
                        log.warn("NATS: a subscriber of this node is too slow; messages are being dropped for it");
                    }
                })
                .build();
        try {
            return new NatsEventBus(Nats.connect(options));
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to NATS at " + JdbcUrls.maskPassword(url) + " (NATS_URL): " + e.getMessage()
                    + "; start NATS or unset NATS_URL to run a single node", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS at " + JdbcUrls.maskPassword(url), e);
        }
    }

    static String subject(Topic<?> topic) {
        return SUBJECT_PREFIX + topic.name();
    }

    @Override
    public <T> void publish(Topic<T> topic, T event) {
        if (event == null) {
            return;
        }
        if (!topic.type().isInstance(event)) {
            throw new IllegalArgumentException("topic " + topic.name() + " carries " + topic.type().getSimpleName()
                    + ", not " + event.getClass().getSimpleName());
        }
        if (topic.nodeLocal()) {
            local.publish(topic, event);
            return;
        }
        try {
            connection.publish(subject(topic), MAPPER.writeValueAsBytes(event));
        } catch (IOException | RuntimeException e) {
            long n = publishFailures.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                log.warn("NATS: could not publish on {} ({} failures so far): {}", topic.name(), n, e.toString());
            }
        }
    }

    @Override
    public <T> Subscription subscribe(Topic<T> topic, Consumer<? super T> handler) {
        if (topic.nodeLocal()) {
            return local.subscribe(topic, handler);
        }
        Dispatcher dispatcher = connection.createDispatcher(message -> {
            T event;
            try {
                event = MAPPER.readValue(message.getData(), topic.type());
            } catch (IOException e) {
                log.warn("NATS: dropped an unreadable event on {}: {}", message.getSubject(), e.getMessage());
                return;
            }
            try {
                handler.accept(event);
            } catch (RuntimeException e) {
                log.warn("event bus: a subscriber of {} failed on an event: {}", topic.name(), e.toString());
            }
        });
        dispatcher.subscribe(subject(topic));
        return new Subscription() {
            @Override
            public long dropped() {
                return dispatcher.getDroppedCount();
            }

            @Override
            public void close() {
                connection.closeDispatcher(dispatcher);
            }
        };
    }

    /** Publishes that could not even be buffered (for the readiness probe's detail and tests). */
    public long publishFailures() {
        return publishFailures.get();
    }

    /** Sends everything buffered and waits for the server's answer: events published before it are on their way. */
    public void flush(Duration timeout) {
        try {
            connection.flush(timeout);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("NATS did not answer a flush within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isReachable() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    @Override
    public void close() {
        local.close();
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
