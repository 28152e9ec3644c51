package com.gururmm.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.server.db.Database;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.testkit.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Routing idempotence, delivery attempts and digest windows on the real migrations, H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class NotificationStoreTest {
    @Parameter
    TestDatabase.Kind kind;
    private TestDatabase testDb;
    private Database db;
    private ChannelStore channels;
    private RuleStore rules;
    private DeliveryStore deliveries;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private UUID channelA;
    private UUID channelB;

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(kind);
        db = Database.open(testDb.jdbcUrl(), "", "");
        channels = new ChannelStore(db.jdbi());
        rules = new RuleStore(db.jdbi());
        deliveries = new DeliveryStore(db.jdbi());
        channelA = channel("a");
        channelB = channel("b");
    }

    @AfterEach
    void close() {
        db.close();
        testDb.close();
    }

    private UUID channel(String name) {
        UUID id = UUID.randomUUID();
        channels.insert(new ChannelStore.ChannelRow(id, name, "webhook",
                new ChannelSettings("generic", "https://example.test/" + name, null, null, null, null, null, null).toJson(),
                "secret-" + name, 2, true, "test", now, now));
        return id;
    }

    private RuleStore.Rule rule(Integer threshold, Integer window, UUID... channelIds) {
        RuleStore.RuleRow row = new RuleStore.RuleRow(UUID.randomUUID(), "r", "info", null, true, false, true, threshold, window, true,
                "test", now, now);
        rules.insert(row, List.of(channelIds));
        return rules.find(row.id()).orElseThrow();
    }

    private static AlertChanged change(UUID alertId, String site, String state) {
        return new AlertChanged(alertId, UUID.randomUUID(), "pc", site, "offline", "critical", state, "Agent offline", "m", false,
                Instant.now());
    }

    @Test
    void aChangeIsRoutedOnceAndTwoRulesToOneChannelSendOnce() {
        rule(null, null, channelA, channelB);
        rule(null, null, channelA);
        AtomicInteger woken = new AtomicInteger();
        Routing routing = new Routing(rules, deliveries, new DigestWindows(deliveries, rules, Clock.systemUTC()), Clock.systemUTC(),
                woken::incrementAndGet);
        UUID alert = UUID.randomUUID();
        assertThat(routing.route(change(alert, "hq", "open"))).isTrue();
        assertThat(routing.route(change(alert, "hq", "open"))).isFalse();
        assertThat(routing.route(change(alert, "hq", "resolved"))).isTrue();
        assertThat(deliveries.list(null, alert, null, 100)).hasSize(4)
                .extracting(DeliveryStore.DeliveryRow::dedupeKey).containsOnly("alert:" + alert + ":open", "alert:" + alert + ":resolved");
        assertThat(deliveries.list(channelA, alert, null, 100)).hasSize(2);
        assertThat(deliveries.list(channelB, null, "pending", 100)).hasSize(2);
        assertThat(deliveries.list(channelB, null, "delivered", 100)).isEmpty();
        assertThat(woken.get()).isEqualTo(2);
        // acknowledged is not among the rules' transitions; a silenced change is never routed
        assertThat(routing.route(change(alert, "hq", "acknowledged"))).isFalse();
        AlertChanged silenced = new AlertChanged(UUID.randomUUID(), UUID.randomUUID(), "pc", "hq", "x", "critical", "open", "t", "m",
                true, Instant.now());
        assertThat(routing.route(silenced)).isFalse();
        assertThat(deliveries.list(null, silenced.alertId(), null, 100)).isEmpty();
    }

    @Test
    void attemptsMoveADeliveryOnAndOnlyAPendingOne() {
        UUID id = UUID.randomUUID();
        assertThat(deliveries.insert(Routing.alertDelivery(channelA, null, UUID.randomUUID(), "open", "hq", "{}", now))).isTrue();
        DeliveryStore.DeliveryRow row = new DeliveryStore.DeliveryRow(id, channelA, "k", "alert", null, null, null, null, "{}",
                DeliveryStore.PENDING, 0, now, null, now, null);
        assertThat(deliveries.insert(row)).isTrue();
        assertThat(deliveries.insert(new DeliveryStore.DeliveryRow(UUID.randomUUID(), channelA, "k", "alert", null, null, null, null,
                "{}", DeliveryStore.PENDING, 0, now, null, now, null))).as("same channel and key").isFalse();
        assertThat(deliveries.channelsWithDue(now)).containsExactly(channelA);
        deliveries.recordAttempt(new DeliveryStore.AttemptRow(id, 1, now, 12, false, 500, "oops", "HTTP 500"), DeliveryStore.PENDING,
                now.plusSeconds(30), "HTTP 500", null);
        assertThat(deliveries.due(channelA, now, 10)).extracting(DeliveryStore.DeliveryRow::id).doesNotContain(id);
        assertThat(deliveries.due(channelA, now.plusSeconds(31), 10)).extracting(DeliveryStore.DeliveryRow::id).contains(id);
        deliveries.recordAttempt(new DeliveryStore.AttemptRow(id, 2, now, 7, true, 200, "ok", null), DeliveryStore.DELIVERED, null,
                null, now.plusSeconds(31));
        deliveries.recordAttempt(new DeliveryStore.AttemptRow(id, 3, now, 7, true, 200, "late", null), DeliveryStore.DELIVERED, null,
                null, now.plusSeconds(32));
        DeliveryStore.DeliveryRow done = deliveries.find(id).orElseThrow();
        assertThat(done.status()).isEqualTo("delivered");
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(deliveries.attempts(List.of(id)).get(id)).extracting(DeliveryStore.AttemptRow::httpStatus).containsExactly(500, 200);
    }

    @Test
    void aDigestWindowCollectsPerSiteAndClosesOnceIntoOneDeliveryPerChannel() {
        RuleStore.Rule digest = rule(3, 60, channelA, channelB);
        Instant t0 = Instant.now();
        Clock later = Clock.fixed(t0.plusSeconds(120), ZoneOffset.UTC); // well past the 60 s windows, however slow routing was
        DigestWindows windows = new DigestWindows(deliveries, rules, Clock.systemUTC());
        Routing routing = new Routing(rules, deliveries, windows, Clock.systemUTC(), () -> { });
        for (int i = 0; i < 5; i++) {
            routing.route(change(UUID.randomUUID(), "hq", "open"));
        }
        routing.route(change(UUID.randomUUID(), "branch", "open"));
        assertThat(deliveries.list(null, null, null, 100)).as("held while the windows collect").isEmpty();
        assertThat(windows.closeDue()).isZero();

        DigestWindows atClose = new DigestWindows(deliveries, rules, later);
        assertThat(atClose.closeDue()).isEqualTo(2);
        assertThat(atClose.closeDue()).as("a window closes once").isZero();
        List<DeliveryStore.DeliveryRow> rows = deliveries.list(null, null, null, 100);
        // hq: 5 > 3 -> one digest per channel; branch: 1 -> one alert delivery per channel
        assertThat(rows).filteredOn(r -> r.kind().equals("digest")).hasSize(2).allSatisfy(r -> {
            assertThat(r.site()).isEqualTo("hq");
            assertThat(Notice.parse(r.payload()).digest().count()).isEqualTo(5);
            assertThat(r.ruleId()).isEqualTo(digest.row().id());
        });
        assertThat(rows).filteredOn(r -> r.kind().equals("alert")).hasSize(2).allSatisfy(r -> assertThat(r.site()).isEqualTo("branch"));
    }

    @Test
    void retentionRemovesFinishedDeliveriesAndOldMarkersButNeverPendingOnes() {
        UUID done = UUID.randomUUID();
        UUID pending = UUID.randomUUID();
        deliveries.insert(new DeliveryStore.DeliveryRow(done, channelA, "done", "alert", null, null, null, null, "{}",
                DeliveryStore.PENDING, 0, now, null, now, null));
        deliveries.insert(new DeliveryStore.DeliveryRow(pending, channelA, "pending", "alert", null, null, null, null, "{}",
                DeliveryStore.PENDING, 0, now, null, now, null));
        deliveries.recordAttempt(new DeliveryStore.AttemptRow(done, 1, now, 1, true, 200, "ok", null), DeliveryStore.DELIVERED, null, null,
                now);
        UUID alert = UUID.randomUUID();
        deliveries.routeOnce(alert, "open", now, h -> { });
        assertThat(deliveries.purge(now.minusSeconds(1), now.minusSeconds(1))).isZero();
        assertThat(deliveries.purge(now.plusSeconds(1), now.plusSeconds(1))).isEqualTo(1);
        assertThat(deliveries.find(done)).isEmpty();
        assertThat(deliveries.find(pending)).isPresent();
        assertThat(deliveries.routeOnce(alert, "open", now, h -> { })).as("marker gone with the catch-up window").isTrue();
    }
}
