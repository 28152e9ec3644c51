package com.gururmm.server.notify;

import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.config.NotificationSettings;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.routing.RouteTable;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications, wired: routes, the {@link AlertChanged} subscription, the routing step and the
 * dispatcher. The only input from other features is the {@link AlertChanged} event (and, when
 * the alert engine provides one, an {@link AlertChangeSource} for catch-up).
 */
public final class NotificationModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotificationModule.class);

    private final NotificationSettings settings;
    private final EventBus bus;
    private final Clock clock;
    private final Routing routing;
    private final Dispatcher dispatcher;
    private final NotificationRoutes routes;
    private final AtomicLong droppedSeen = new AtomicLong();
    private volatile AlertChangeSource catchUpSource;
    private EventBus.Subscription subscription;

    public NotificationModule(NotificationSettings settings, Jdbi jdbi, AuditLog audit, EventBus bus, Clock clock) {
        this.settings = settings;
        this.bus = bus;
        this.clock = clock;
        ChannelStore channels = new ChannelStore(jdbi);
        RuleStore rules = new RuleStore(jdbi);
        DeliveryStore deliveries = new DeliveryStore(jdbi);
        DigestWindows digests = new DigestWindows(deliveries, rules, clock);
        this.dispatcher = new Dispatcher(deliveries, channels, digests, settings, clock);
        this.routing = new Routing(rules, deliveries, digests, clock, dispatcher::wake);
        this.routes = new NotificationRoutes(new ChannelService(channels, deliveries, dispatcher, audit, clock),
                new RuleService(rules, channels, audit, clock), new DeliveryQueries(deliveries));
    }

    public void register(RouteTable table) {
        routes.register(table);
    }

    /**
     * Routes alert changes whose event never arrived (see {@link AlertChangeSource}); call before
     * {@link #start()} so the first catch-up runs at start.
     */
    public void catchUpFrom(AlertChangeSource source) {
        this.catchUpSource = source;
    }

    /** In a cluster: deliveries are sent only while {@code active} (the node holds the dispatch lease). */
    public void dispatchWhen(java.util.function.BooleanSupplier active) {
        dispatcher.activeWhen(active);
    }

    /** Subscribes first, then catches up, then starts sending: a change committed in between is seen by one or the other. */
    public void start() {
        subscription = bus.subscribe(AlertChanged.TOPIC, this::onAlertChanged);
        catchUp();
        dispatcher.start();
    }

    private void onAlertChanged(AlertChanged change) {
        try {
            routing.route(change);
        } catch (RuntimeException e) {
            log.warn("could not route alert {} ({}) to notifications; the next catch-up retries it: {}", change.alertId(), change.state(),
                    e.toString());
        }
        long dropped = subscription == null ? 0 : subscription.dropped();
        if (dropped > droppedSeen.get()) {
            droppedSeen.set(dropped);
            log.warn("notifications missed {} alert event(s) (subscriber overflow); catching up from the alert store", dropped);
            catchUp();
        }
    }

    /** Routes every change of the catch-up window that was not routed before; returns how many it routed. */
    public int catchUp() {
        AlertChangeSource source = catchUpSource;
        if (source == null || settings.catchUpWindow().isZero()) {
            return 0;
        }
        int routed = 0;
        try {
            Instant since = clock.instant().minus(settings.catchUpWindow());
            for (AlertChanged change : source.changesSince(since)) {
                if (routing.route(change)) {
                    routed++;
                }
            }
        } catch (RuntimeException e) {
            log.warn("notification catch-up failed: {}", e.toString());
        }
        if (routed > 0) {
            log.info("notification catch-up routed {} alert change(s) whose event had not arrived", routed);
        }
        return routed;
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
        dispatcher.close();
    }
}
