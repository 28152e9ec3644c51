package com.gururmm.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.server.db.Database;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Job leases on the real migrations, H2 and PostgreSQL: one holder, renewal, takeover after expiry, release. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(120)
class ClusterLeaseTest {
    private static final Duration LEASE = Duration.ofSeconds(2);

    @Parameter
    TestDatabase.Kind kind;
    private TestDatabase testDb;
    private Database db;

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(kind);
        db = Database.open(testDb.jdbcUrl(), "", "");
    }

    @AfterEach
    void close() {
        db.close();
        testDb.close();
    }

    private ClusterLeases node(String name) {
        return new ClusterLeases(db.jdbi(), name, LEASE);
    }

    @Test
    void aFreeLeaseGoesToTheFirstNodeAndStaysWithItWhileItRenews() throws Exception {
        ClusterLeases a = node("a");
        ClusterLeases b = node("b");
        assertThat(a.tryAcquire("job")).isTrue();
        assertThat(b.tryAcquire("job")).isFalse();
        long term = a.find("job").orElseThrow().term();
        for (int i = 0; i < 4; i++) {
            Thread.sleep(LEASE.toMillis() / 2);
            assertThat(a.tryAcquire("job")).as("renewal %d", i).isTrue();
            assertThat(b.tryAcquire("job")).as("b while a renews, %d", i).isFalse();
        }
        ClusterLeases.Holder row = a.find("job").orElseThrow();
        assertThat(row.holder()).isEqualTo("a");
        assertThat(row.term()).as("renewals keep the term").isEqualTo(term);
        assertThat(row.expiresAt()).isAfter(a.databaseNow());
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldHolderCannotRenewIt() throws Exception {
        ClusterLeases a = node("a");
        ClusterLeases b = node("b");
        assertThat(a.tryAcquire("job")).isTrue();
        long term = a.find("job").orElseThrow().term();
        // a stops renewing (it died): on the database's clock the lease runs out.
        while (!a.find("job").orElseThrow().expiresAt().isBefore(a.databaseNow())) {
            Thread.sleep(100);
        }
        assertThat(b.tryAcquire("job")).isTrue();
        assertThat(a.tryAcquire("job")).as("the old holder comes back late").isFalse();
        ClusterLeases.Holder row = b.find("job").orElseThrow();
        assertThat(row.holder()).isEqualTo("b");
        assertThat(row.term()).isEqualTo(term + 1);
    }

    @Test
    void aReleasedLeaseIsFreeAtOnceAndReleasingAnotherNodesLeaseChangesNothing() {
        ClusterLeases a = node("a");
        ClusterLeases b = node("b");
        assertThat(a.tryAcquire("job")).isTrue();
        b.release("job");
        assertThat(b.tryAcquire("job")).as("b's release did not free a's lease").isFalse();
        a.release("job");
        assertThat(b.tryAcquire("job")).isTrue();
        assertThat(b.find("job").orElseThrow().holder()).isEqualTo("b");
    }

    @Test
    void nodesRacingForANewLeaseEndWithExactlyOneHolder() throws Exception {
        int nodes = 8;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                ClusterLeases n = node("n" + i);
                Callable<Boolean> race = () -> {
                    go.await();
                    return n.tryAcquire("race");
                };
                results.add(pool.submit(race));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(node("x").find("race").orElseThrow().holder()).startsWith("n");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theRenewalLoopGivesEachLeaseToOneNodeAndMovesItWhenTheHolderStops() throws Exception {
        ClusterLeases a = node("a");
        ClusterLeases b = node("b");
        ClusterLease onA = a.lease("job");
        ClusterLease onB = b.lease("job");
        a.renewAll();
        b.renewAll();
        assertThat(onA.held()).isTrue();
        assertThat(onB.held()).isFalse();
        int[] ranOnA = {0};
        a.guard("job", () -> ranOnA[0]++).run();
        b.guard("job", () -> {
            throw new AssertionError("ran on the node without the lease");
        }).run();
        assertThat(ranOnA[0]).isEqualTo(1);
        // a stops without releasing (a crash): b takes the job once the lease ran out on the database clock.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!onB.held() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            b.renewAll();
        }
        assertThat(onB.held()).isTrue();
        assertThat(onA.held()).as("a believes it lost the lease before b could take it").isFalse();
        // A clean stop hands the lease over at once.
        b.close();
        a.renewAll();
        assertThat(onA.held()).isTrue();
    }

    @Test
    void aSingleNodeHoldsEveryLeaseFromItsFirstRound() {
        ClusterLeases only = node("only");
        List<ClusterLease> leases = List.of(only.lease("commands.sweep"), only.lease("metrics.upkeep"), only.lease("retention"));
        only.renewAll();
        assertThat(leases).allMatch(ClusterLease::held);
        assertThat(only.all()).extracting(ClusterLeases.Holder::holder).containsOnly("only");
    }
}
