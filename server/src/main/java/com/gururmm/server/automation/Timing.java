package com.gururmm.server.automation;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.gururmm.server.http.ApiException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * When a schedule's occurrences fall. Cron expressions are parsed by cron-utils: five fields
 * (minute hour day-of-month month day-of-week, Unix cron) or six with leading seconds (Spring's
 * form, for sub-minute schedules), read in the schedule's time zone, so "0 9 * * 1-5" is 09:00
 * local time across daylight-saving changes. Intervals count from the previous occurrence; a
 * one-off ({@code at}) has a single occurrence.
 */
record Timing(String kind, String cron, Integer intervalSeconds, Instant at, ZoneId zone) {
    static final int MIN_INTERVAL_SECONDS = 5;
    static final int MAX_INTERVAL_SECONDS = 366 * 24 * 3600;
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser WITH_SECONDS = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

    /** Validates the request's timing fields: exactly one of cron, interval_seconds and at. */
    static Timing of(String cron, Integer intervalSeconds, Instant at, String timeZone) {
        int given = (cron != null ? 1 : 0) + (intervalSeconds != null ? 1 : 0) + (at != null ? 1 : 0);
        if (given != 1) {
            throw ApiException.badRequest("Give exactly one of 'cron' (e.g. \"*/15 * * * *\"), 'interval_seconds' and 'at' (an ISO-8601 time for a one-off).");
        }
        ZoneId zone = zone(timeZone);
        if (cron != null) {
            parse(cron);
            return new Timing("cron", cron.trim(), null, null, zone);
        }
        if (intervalSeconds != null) {
            if (intervalSeconds < MIN_INTERVAL_SECONDS || intervalSeconds > MAX_INTERVAL_SECONDS) {
                throw ApiException.badRequest("Field 'interval_seconds' must be between " + MIN_INTERVAL_SECONDS + " and " + MAX_INTERVAL_SECONDS
                        + "; got " + intervalSeconds + ".");
            }
            return new Timing("interval", null, intervalSeconds, null, zone);
        }
        return new Timing("at", null, null, at, zone);
    }

    static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(timeZone.trim());
        } catch (DateTimeException e) {
            throw ApiException.badRequest("Field 'time_zone' is '" + clip(timeZone) + "', which is not a time zone; use an IANA name such as Europe/Berlin or UTC.");
        }
    }

    static Cron parse(String cron) {
        String text = cron.trim();
        if (text.isEmpty() || text.length() > 200) {
            throw ApiException.badRequest("Field 'cron' must be a cron expression of 5 fields (or 6 with leading seconds); got '" + clip(cron) + "'.");
        }
        int fields = text.split("\\s+").length;
        try {
            if (fields == 5) {
                return UNIX.parse(text).validate();
            }
            if (fields == 6) {
                return WITH_SECONDS.parse(text).validate();
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Field 'cron' is not a valid cron expression ('" + clip(cron) + "'): " + clip(e.getMessage()) + ".");
        }
        throw ApiException.badRequest("Field 'cron' has " + fields + " fields; use 5 (minute hour day-of-month month day-of-week) "
                + "or 6 with leading seconds. Got '" + clip(cron) + "'.");
    }

    /** The first occurrence strictly after {@code after} (for an interval: {@code after} + interval). Empty: none left. */
    Optional<Instant> next(Instant after) {
        return switch (kind) {
            case "cron" -> ExecutionTime.forCron(parse(cron)).nextExecution(after.atZone(zone)).map(z -> z.toInstant());
            case "interval" -> Optional.of(after.plusSeconds(intervalSeconds));
            default -> at.isAfter(after) ? Optional.of(at) : Optional.empty();
        };
    }

    /**
     * The occurrence to move to after {@code occurrence} fired at {@code now}: the next one after
     * both (occurrences the server was down for are not queued up one by one).
     */
    Optional<Instant> nextAfter(Instant occurrence, Instant now) {
        if (kind.equals("at")) {
            return Optional.empty();
        }
        if (kind.equals("interval")) {
            long behind = Math.max(0, now.getEpochSecond() - occurrence.getEpochSecond());
            long steps = behind / intervalSeconds + 1;
            return Optional.of(occurrence.plusSeconds(steps * intervalSeconds));
        }
        return next(now.isAfter(occurrence) ? now : occurrence);
    }

    private static String clip(String text) {
        String one = String.valueOf(text).replaceAll("\\p{Cntrl}", "?");
        return one.length() > 100 ? one.substring(0, 100) + "..." : one;
    }
}
