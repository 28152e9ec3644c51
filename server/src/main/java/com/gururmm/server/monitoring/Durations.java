package com.gururmm.server.monitoring;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in a check: {@code 90s}, {@code 5m}, {@code 1h} (a bare number is seconds). */
final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,6})\\s*(s|m|h|sec|min|)", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    static Optional<Integer> parseSeconds(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        long seconds = switch (m.group(2).toLowerCase()) {
            case "m", "min" -> n * 60;
            case "h" -> n * 3600;
            default -> n;
        };
        return seconds > Integer.MAX_VALUE ? Optional.empty() : Optional.of((int) seconds);
    }

    static String format(int seconds) {
        if (seconds > 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds > 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    static String number(Double value) {
        if (value == null) {
            return "?";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString(value.longValue()) : value.toString();
    }
}
