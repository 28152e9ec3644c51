package com.gururmm.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupCommitTest {

    @Test
    void callersWaitingTogetherShareATransactionAndEachGetsItsOwnOutcome() throws Exception {
        List<List<Integer>> transactions = new CopyOnWriteArrayList<>();
        CountDownLatch firstTransactionStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupCommit<Integer, Integer> group = new GroupCommit<>("test", items -> {
            transactions.add(List.copyOf(items));
            firstTransactionStarted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return items.stream().map(i -> i * 10).toList();
        }, Duration.ZERO, 1000, i -> 1, Duration.ofSeconds(20));
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = callers.submit(() -> group.write(0));
            firstTransactionStarted.await();
            List<Future<Integer>> rest = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                int item = i;
                rest.add(callers.submit(() -> group.write(item)));
            }
            Thread.sleep(200); // all 100 are queued behind the first, slow, transaction
            release.countDown();
            assertThat(first.get()).isZero();
            for (int i = 0; i < rest.size(); i++) {
                assertThat(rest.get(i).get()).isEqualTo((i + 1) * 10);
            }
        }
        assertThat(transactions).as("the first alone (no lingering), the 100 that waited in one more").hasSize(2);
        assertThat(transactions.get(1)).hasSize(100);
    }

    @Test
    void aFailedTransactionFailsEveryCallerInItAndTheNextGroupStartsClean() {
        try (GroupCommit<Integer, Integer> group = new GroupCommit<>("test", items -> {
            if (items.contains(13)) {
                throw new IllegalArgumentException("bad item");
            }
            return items;
        }, Duration.ZERO, 10, i -> 1, Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> group.write(13)).isInstanceOf(IllegalArgumentException.class).hasMessage("bad item");
            assertThat(group.write(14)).isEqualTo(14);
        }
    }

    @Test
    void aClosedGroupAnswersAtOnce() {
        GroupCommit<Integer, Integer> group = new GroupCommit<>("test", items -> items, Duration.ZERO, 10, i -> 1, Duration.ofMinutes(2));
        group.close();
        assertThatThrownBy(() -> group.write(1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopping");
    }
}
