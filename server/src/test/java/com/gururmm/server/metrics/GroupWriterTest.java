package com.gururmm.server.metrics;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A closed writer answers at once: an agent's metrics batch never waits for a writer that is gone. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupWriterTest {

    @Test
    void aWriteAfterCloseFailsAtOnceInsteadOfWaitingTwoMinutes() {
        GroupWriter writer = new GroupWriter(new MetricStore(Jdbi.create("jdbc:h2:mem:group-writer-" + UUID.randomUUID())));
        writer.close();
        MetricStore.Row row = new MetricStore.Row(Instant.now().toEpochMilli(), new byte[] {1});
        assertThatThrownBy(() -> writer.write(UUID.randomUUID(), List.of(row)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stopping");
    }
}
