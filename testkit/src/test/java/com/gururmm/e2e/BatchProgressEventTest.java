package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.EventStream;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code batch.progress} on {@code GET /api/events}: snapshots of a running batch, the last one done with every result counted. */
@Timeout(180)
class BatchProgressEventTest {
    @Test
    void aBatchStreamsItsProgressUntilDone() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2);
             AgentProcess one = AgentProcess.create(server.url(), server.enrollmentToken()).start();
             AgentProcess two = AgentProcess.create(server.url(), server.enrollmentToken()).start()) {
            GuruClient admin = server.adminClient();
            UUID first = one.awaitOnline(admin);
            UUID second = two.awaitOnline(admin);
            try (EventStream events = admin.events("batch.progress", null, null)) {
                UUID batch = admin.runBatch(new BatchRequest(List.of(first, second), null, "sh", "echo progress", null, 30)).batchId();
                JsonNode last = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while ((last == null || !last.get("done").asBoolean()) && System.nanoTime() < deadline) {
                    EventStream.Event event = events.next(Duration.ofSeconds(1));
                    if (event != null) {
                        assertThat(event.type()).isEqualTo("batch.progress");
                        assertThat(event.data().get("batch_id").asText()).isEqualTo(batch.toString());
                        last = event.data();
                    }
                }
                assertThat(last).as("a done batch.progress event").isNotNull();
                assertThat(last.get("done").asBoolean()).isTrue();
                assertThat(last.get("agent_count").asInt()).isEqualTo(2);
                assertThat(last.get("finished").asInt()).isEqualTo(2);
                assertThat(last.get("counts").get("completed").asInt()).isEqualTo(2);
                assertThat(admin.batch(batch).counts()).containsEntry("completed", 2);
            }
        }
    }
}
