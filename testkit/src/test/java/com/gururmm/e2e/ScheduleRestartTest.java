package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRun;
import com.gururmm.protocol.api.Schedules.ScheduleView;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The done-when, on the packaged server: a script with two parameters scheduled every
 * minute (a real cron expression, {@code * * * * *}) for a site with two real agent processes
 * produces both agents' results within 90 s, then the server is restarted, the next occurrence
 * runs too, and each occurrence ran exactly once on each agent.
 */
class ScheduleRestartTest {
    private static final String SCRIPT = "printf '%s|%s' \"$GURURMM_PARAM_GREETING\" \"$GURURMM_PARAM_COUNT\"";

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void everyMinuteOnASiteExactlyOncePerOccurrenceAcrossARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("gururmm-schedule-").resolve("data");
        try (ServerProcess server = ServerProcess.create(dataDir, new HashMap<>()).start();
             AgentProcess first = AgentProcess.create(server.url(), server.enrollmentToken()).start();
             AgentProcess second = AgentProcess.create(server.url(), server.enrollmentToken()).start()) {
            GuruClient admin = server.adminClient();
            UUID a = first.awaitOnline(admin);
            UUID b = second.awaitOnline(admin);
            UUID client = admin.createClient("Restart Client").id();
            UUID site = admin.createSite(client, "Restart Site").id();
            admin.moveAgent(a, site);
            admin.moveAgent(b, site);
            ScriptView script = admin.createScript(new ScriptRequest("Minutely greeting", "sh", SCRIPT,
                    List.of(new Parameter("greeting", "string", true, null), new Parameter("count", "number", true, null))));
            String greeting = "hello \"$(whoami)\" it's";
            Instant created = Instant.now();
            ScheduleView schedule = admin.createSchedule(new ScheduleRequest(script.id(), Map.of("greeting", greeting, "count", 2), null,
                    new AgentFilter(null, null, null, null, null, site), "* * * * *", null));
            String expected = greeting + "|2";

            ScheduleRun firstRun = awaitCompleted(admin, schedule.id(), 1, Duration.ofSeconds(90));
            assertThat(Duration.between(created, Instant.now())).as("both results within 90 s").isLessThan(Duration.ofSeconds(90));
            assertResults(admin, firstRun, expected, a, b);

            server.stop();
            server.start();
            admin = server.adminClient();
            GuruClient after = admin;
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> after.agents().stream()
                    .filter(x -> x.id().equals(a) || x.id().equals(b)).allMatch(x -> x.status().equals("online")));
            ScheduleRun secondRun = awaitCompleted(admin, schedule.id(), 2, Duration.ofSeconds(90));
            assertThat(secondRun.occurrenceAt()).isAfter(firstRun.occurrenceAt());
            assertResults(admin, secondRun, expected, a, b);

            admin.updateSchedule(schedule.id(), new ScheduleRequest(null, null, null, null, null, null, null, null, null, null, null, false));
            List<ScheduleRun> runs = admin.scheduleRuns(schedule.id());
            Set<Instant> occurrences = new HashSet<>();
            for (ScheduleRun run : runs) {
                assertThat(occurrences.add(run.occurrenceAt())).as("occurrence %s recorded twice", run.occurrenceAt()).isTrue();
                assertThat(run.occurrenceAt().getEpochSecond() % 60).as("on a minute boundary").isZero();
                assertThat(run.status()).as(run.message()).isEqualTo("submitted");
            }
            // Exactly once per occurrence per agent: each agent has one command of this script per occurrence.
            for (UUID agent : List.of(a, b)) {
                List<CommandView> ran = admin.agentCommands(agent).stream().filter(c -> c.commandText().equals(SCRIPT)).toList();
                assertThat(ran).as("agent %s: one command per occurrence %s", agent, occurrences).hasSize(runs.size());
            }
        }
    }

    /** Waits until the schedule has at least {@code count} occurrences and the newest has finished on every agent. */
    private static ScheduleRun awaitCompleted(GuruClient admin, UUID schedule, int count, Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofSeconds(1)).until(() -> {
            List<ScheduleRun> runs = admin.scheduleRuns(schedule);
            return runs.size() >= count && Boolean.TRUE.equals(runs.get(0).done()) && runs.get(0).counts().getOrDefault("completed", 0) == 2;
        });
        return admin.scheduleRuns(schedule).get(0);
    }

    private static void assertResults(GuruClient admin, ScheduleRun run, String expected, UUID a, UUID b) {
        BatchView batch = admin.batch(run.batchId());
        assertThat(batch.results()).extracting(BatchResult::agentId).containsExactlyInAnyOrder(a, b);
        assertThat(batch.results()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo("completed");
            assertThat(r.stdout()).isEqualTo(expected);
        });
    }
}
