package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRun;
import com.gururmm.protocol.api.Schedules.ScheduleView;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scheduled tasks on two real agents of one site, against H2 and PostgreSQL: an interval and a
 * seconds cron expression fire, each occurrence once with one command per agent carrying the
 * pinned version's parameters; bad input is refused naming the field; a disabled schedule stops.
 * (Across a restart of the packaged server: ScheduleRestartTest.)
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(300)
class ScheduleTest {
    private static final Map<TestDatabase.Kind, Fleet> FLEETS = new java.util.EnumMap<>(TestDatabase.Kind.class);
    private static final Map<TestDatabase.Kind, UUID> SITES = new java.util.EnumMap<>(TestDatabase.Kind.class);

    @org.junit.jupiter.params.Parameter
    TestDatabase.Kind kind;

    private UUID site;

    @AfterAll
    static void stopFleets() {
        FLEETS.values().forEach(Fleet::close);
        FLEETS.clear();
    }

    private GuruClient admin() {
        Fleet fleet = FLEETS.computeIfAbsent(kind, k -> {
            Fleet f = Fleet.start(k);
            UUID a = f.onlineAgentId();
            UUID b = f.onlineAgentId();
            GuruClient admin = f.admin();
            UUID client = admin.createClient("Schedules Client").id();
            UUID s = admin.createSite(client, "Schedules Site").id();
            admin.moveAgent(a, s);
            admin.moveAgent(b, s);
            SITES.put(k, s);
            return f;
        });
        site = SITES.get(kind);
        return fleet.admin();
    }

    private ScriptView greet(GuruClient admin) {
        return admin.createScript(new ScriptRequest("Greet " + UUID.randomUUID(), "sh",
                "printf '%s x%s' \"$GURURMM_PARAM_WHO\" \"$GURURMM_PARAM_TIMES\"",
                List.of(new Parameter("who", "string", true, null), new Parameter("times", "number", true, null))));
    }

    @Test
    void anIntervalFiresEachOccurrenceOnceOnEveryAgent() {
        GuruClient admin = admin();
        ScriptView script = greet(admin);
        AgentFilter bySite = new AgentFilter(null, null, null, null, null, site);
        ScheduleView schedule = admin.createSchedule(new ScheduleRequest(script.id(), Map.of("who", "it's \"me\"", "times", 2), null, bySite,
                null, 5));
        assertThat(schedule.kind()).isEqualTo("interval");
        assertThat(schedule.nextRunAt()).isAfter(Instant.now().minusSeconds(1));
        // A later edit of the script does not change what the schedule runs (its version is pinned).
        admin.updateScript(script.id(), new ScriptRequest(null, null, null, null, "echo changed", List.of(), null, null, null));

        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                admin.scheduleRuns(schedule.id()).stream().filter(r -> Boolean.TRUE.equals(r.done())).count() >= 2);
        admin.updateSchedule(schedule.id(), new ScheduleRequest(null, null, null, null, null, null, null, null, null, null, null, false));
        assertThat(admin.schedule(schedule.id()).nextRunAt()).as("disabled: nothing more is due").isNull();
        List<ScheduleRun> runs = admin.scheduleRuns(schedule.id());
        Set<Instant> occurrences = new HashSet<>();
        for (ScheduleRun run : runs) {
            assertThat(occurrences.add(run.occurrenceAt())).as("occurrence %s fired twice", run.occurrenceAt()).isTrue();
            assertThat(run.status()).isEqualTo("submitted");
            BatchView batch = admin.awaitBatch(run.batchId(), Duration.ofSeconds(60));
            assertThat(batch.agentCount()).isEqualTo(2);
            assertThat(batch.results()).extracting(BatchResult::stdout).containsOnly("it's \"me\" x2");
        }
        assertThat(admin.scriptRuns(script.id())).allSatisfy(r -> {
            assertThat(r.scheduleId()).isEqualTo(schedule.id());
            assertThat(r.scriptVersion()).isEqualTo(1);
        });
        int fired = runs.size();
        // Disabled: no further occurrence (two intervals' worth of waiting).
        Awaitility.await().during(Duration.ofSeconds(11)).atMost(Duration.ofSeconds(20)).until(() -> admin.scheduleRuns(schedule.id()).size() == fired);
        assertThat(admin.audit()).anySatisfy(e -> assertThat(e.action()).isEqualTo("schedule.create"));
        assertThat(admin.audit()).anySatisfy(e -> assertThat(e.action()).isEqualTo("schedule.update"));
        admin.deleteSchedule(schedule.id());
        expect(404, "No schedule", () -> admin.schedule(schedule.id()));
    }

    @Test
    void aCronExpressionFiresInItsTimeZone() {
        GuruClient admin = admin();
        ScriptView script = greet(admin);
        ScheduleView schedule = admin.createSchedule(new ScheduleRequest("every 5 s", script.id(), null, Map.of("who", "cron", "times", 1),
                null, new AgentFilter(null, null, null, null, null, site), "*/5 * * * * *", null, null, "Europe/Berlin", true, null));
        assertThat(schedule.kind()).isEqualTo("cron");
        assertThat(schedule.timeZone()).isEqualTo("Europe/Berlin");
        assertThat(schedule.nextRunAt().getEpochSecond() % 5).as("on a 5-second boundary").isZero();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                admin.scheduleRuns(schedule.id()).stream().anyMatch(r -> Boolean.TRUE.equals(r.done())));
        admin.deleteSchedule(schedule.id());
        ScheduleRun run = admin.scheduleRuns(admin.createSchedule(new ScheduleRequest(script.id(), Map.of("who", "x", "times", 1), null,
                new AgentFilter(null, null, null, null, null, site), "0 9 * * 1-5", null)).id()).stream().findFirst().orElse(null);
        assertThat(run).as("a weekday-morning cron does not fire now").isNull();
    }

    @Test
    void withSkipIfMissedAnOfflineAgentsRunExpiresInsteadOfWaiting() {
        GuruClient admin = admin();
        UUID offline = admin.enroll(new com.gururmm.protocol.api.Agents.EnrollRequest(FLEETS.get(kind).server().enrollmentToken(),
                "dev-skip-" + UUID.randomUUID(), "machine-skip-" + UUID.randomUUID(), "never-connects-skip", "linux", "amd64", "1.0.0", "stable"))
                .agentId();
        ScriptView script = greet(admin);
        ScheduleView schedule = admin.createSchedule(new ScheduleRequest("skip", script.id(), null, Map.of("who", "x", "times", 1), List.of(offline),
                null, null, 5, null, null, true, null));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                admin.scheduleRuns(schedule.id()).stream().anyMatch(r -> r.counts() != null && r.counts().getOrDefault("failed", 0) == 1));
        admin.updateSchedule(schedule.id(), new ScheduleRequest(null, null, null, null, null, null, null, null, null, null, null, false));
        ScheduleRun expired = admin.scheduleRuns(schedule.id()).stream()
                .filter(r -> r.counts() != null && r.counts().getOrDefault("failed", 0) == 1).findFirst().orElseThrow();
        assertThat(admin.batch(expired.batchId()).results()).singleElement()
                .satisfies(r -> assertThat(r.error()).as("the run expired instead of waiting for the agent").contains("expired"));
        // Without skip_if_missed the same run waits for the agent (queued), as every command does.
        ScheduleView waits = admin.createSchedule(new ScheduleRequest("waits", script.id(), null, Map.of("who", "x", "times", 1), List.of(offline),
                null, null, 5, null, null, false, null));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !admin.scheduleRuns(waits.id()).isEmpty());
        admin.updateSchedule(waits.id(), new ScheduleRequest(null, null, null, null, null, null, null, null, null, null, null, false));
        assertThat(admin.batch(admin.scheduleRuns(waits.id()).get(0).batchId()).counts()).isEqualTo(Map.of("queued", 1));
        admin.retireAgent(offline);
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        GuruClient admin = admin();
        ScriptView script = greet(admin);
        AgentFilter bySite = new AgentFilter(null, null, null, null, null, site);
        Map<String, Object> ok = Map.of("who", "x", "times", 1);
        int before = admin.schedules(Map.of()).size();
        expect(400, "'cron'", () -> admin.createSchedule(new ScheduleRequest(script.id(), ok, null, bySite, "every minute", null)));
        expect(400, "'cron'", () -> admin.createSchedule(new ScheduleRequest(script.id(), ok, null, bySite, "61 * * * *", null)));
        expect(400, "exactly one of 'cron'", () -> admin.createSchedule(new ScheduleRequest(script.id(), ok, null, bySite, "* * * * *", 60)));
        expect(400, "exactly one of 'cron'", () -> admin.createSchedule(new ScheduleRequest(script.id(), ok, null, bySite, null, null)));
        expect(400, "'interval_seconds'", () -> admin.createSchedule(new ScheduleRequest(script.id(), ok, null, bySite, null, 1)));
        expect(400, "'parameters.times' is required", () -> admin.createSchedule(new ScheduleRequest(script.id(), Map.of("who", "x"), null,
                bySite, "* * * * *", null)));
        expect(400, "'parameters.times' must be a number", () -> admin.createSchedule(new ScheduleRequest(script.id(),
                Map.of("who", "x", "times", "two"), null, bySite, "* * * * *", null)));
        expect(400, "matches no agent", () -> admin.createSchedule(new ScheduleRequest(script.id(), ok, null,
                new AgentFilter(null, "windows", null, null, null, site), "* * * * *", null)));
        expect(400, "'script_id'", () -> admin.createSchedule(new ScheduleRequest(UUID.randomUUID(), ok, null, bySite, "* * * * *", null)));
        expect(400, "'time_zone'", () -> admin.createSchedule(new ScheduleRequest(null, script.id(), null, ok, null, bySite, "* * * * *", null, null,
                "Mars/Olympus", null, null)));
        expect(400, "'at' is in the past", () -> admin.createSchedule(new ScheduleRequest(null, script.id(), null, ok, null, bySite, null, null,
                Instant.now().minusSeconds(60), null, null, null)));
        expect(400, "'script_version'", () -> admin.createSchedule(new ScheduleRequest(null, script.id(), 9, ok, null, bySite, "* * * * *", null,
                null, null, null, null)));
        ScriptView windowsOnly = admin.createScript(new ScriptRequest("Win " + UUID.randomUUID(), null, null, "powershell", "Write-Output 1",
                List.of(), null, null, List.of("windows")));
        expect(400, "'supported_os'", () -> admin.createSchedule(new ScheduleRequest(windowsOnly.id(), Map.of(), null, bySite, "* * * * *", null)));
        assertThat(admin.schedules(Map.of())).hasSize(before);
        expect(409, "used by", () -> {
            ScheduleView used = admin.createSchedule(new ScheduleRequest(script.id(), ok, null, bySite, "0 3 * * *", null));
            try {
                admin.deleteScript(script.id());
            } finally {
                admin.deleteSchedule(used.id());
            }
        });
    }

    private static void expect(int status, String messagePart, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(GuruApiException.class).satisfies(e -> {
            GuruApiException api = (GuruApiException) e;
            assertThat(api.status()).as(api.getMessage()).isEqualTo(status);
            assertThat(api.getMessage()).contains(messagePart);
        });
    }
}
