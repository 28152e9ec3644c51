package com.gururmm.server.automation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.server.http.ApiException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Occurrence arithmetic of schedules, and the parameter rules, without a server. */
@Timeout(30)
class TimingTest {
    private static final Instant T = Instant.parse("2026-03-28T23:30:10Z");

    @Test
    void cronIsReadInTheSchedulesTimeZoneAcrossDaylightSaving() {
        Timing nine = Timing.of("0 9 * * *", null, null, "Europe/Berlin");
        // Berlin switches to summer time on 2026-03-29: 09:00 local is 08:00 UTC before, 07:00 UTC after.
        assertThat(nine.next(T)).contains(Instant.parse("2026-03-29T07:00:00Z"));
        assertThat(nine.next(Instant.parse("2026-03-27T12:00:00Z"))).contains(Instant.parse("2026-03-28T08:00:00Z"));
        assertThat(Timing.of("*/15 * * * * *", null, null, null).next(T)).contains(Instant.parse("2026-03-28T23:30:15Z"));
        assertThat(Timing.of("* * * * *", null, null, null).next(T)).contains(Instant.parse("2026-03-28T23:31:00Z"));
    }

    @Test
    void missedOccurrencesAreNotReplayedOneByOne() {
        Timing every = Timing.of(null, 60, null, null);
        Instant occurrence = Instant.parse("2026-03-28T20:00:00Z");
        assertThat(every.nextAfter(occurrence, occurrence.plusSeconds(1))).contains(occurrence.plusSeconds(60));
        assertThat(every.nextAfter(occurrence, occurrence.plusSeconds(3 * 3600 + 5))).contains(occurrence.plusSeconds(3 * 3600 + 60));
        Timing minutely = Timing.of("* * * * *", null, null, null);
        assertThat(minutely.nextAfter(occurrence, occurrence.plusSeconds(600))).contains(occurrence.plusSeconds(660));
        Timing once = Timing.of(null, null, T.plusSeconds(60), null);
        assertThat(once.next(T)).contains(T.plusSeconds(60));
        assertThat(once.nextAfter(T.plusSeconds(60), T.plusSeconds(61))).isEmpty();
    }

    @Test
    void badTimingIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Timing.of("61 * * * *", null, null, null)).isInstanceOf(ApiException.class).hasMessageContaining("'cron'");
        assertThatThrownBy(() -> Timing.of("* * *", null, null, null)).hasMessageContaining("'cron' has 3 fields");
        assertThatThrownBy(() -> Timing.of("* * * * *", 60, null, null)).hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> Timing.of(null, 2, null, null)).hasMessageContaining("'interval_seconds'");
        assertThatThrownBy(() -> Timing.of(null, 60, null, "Nowhere/City")).hasMessageContaining("'time_zone'");
    }

    @Test
    void parameterValuesAreTypedAndBecomeVariables() {
        var defs = ScriptParameters.define(List.of(new com.gururmm.protocol.api.Scripts.Parameter("path", "string", true, null),
                new com.gururmm.protocol.api.Scripts.Parameter("days", "number", false, 7),
                new com.gururmm.protocol.api.Scripts.Parameter("force", "boolean", false, null)));
        Map<String, String> values = ScriptParameters.values(defs, Map.of("path", "/tmp/$(x)", "force", true));
        assertThat(values).containsExactly(Map.entry("days", "7"), Map.entry("force", "true"), Map.entry("path", "/tmp/$(x)"));
        assertThat(ScriptParameters.environment(values)).containsEntry("GURURMM_PARAM_PATH", "/tmp/$(x)").containsEntry("GURURMM_PARAM_DAYS", "7");
        assertThat(ScriptParameters.values(defs, ScriptParameters.typed(defs, values))).isEqualTo(values);
        assertThatThrownBy(() -> ScriptParameters.values(defs, Map.of("path", "x", "days", true))).hasMessageContaining("'parameters.days' must be a number");
        assertThatThrownBy(() -> ScriptParameters.values(defs, Map.of())).hasMessageContaining("'parameters.path' is required");
    }
}
