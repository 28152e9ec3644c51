package com.gururmm.server.release;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one byte range a {@code Range} header asks of a file of {@code size} bytes (RFC 9110
 * section 14), decided before anything is sent:
 * <ul>
 *   <li>{@link Whole}: no header, or one this server ignores as RFC 9110 allows: not
 *       {@code bytes}, not the grammar (garbage, negative numbers), or several ranges;</li>
 *   <li>{@link Part}: one satisfiable range, clipped to the file;</li>
 *   <li>{@link Unsatisfiable}: a range that starts at or after the end, ends before it starts,
 *       or is an empty suffix: 416 with {@code Content-Range: bytes *}{@code /size}.</li>
 * </ul>
 * Positions are digit strings of any length: a number beyond {@code long} is simply larger
 * than any file (a start there is unsatisfiable, an end or suffix there means "to the end"),
 * rather than an overflow the request could turn into a 500.
 */
sealed interface ByteRange {
    Pattern SPEC = Pattern.compile("(\\d*)-(\\d*)");

    record Whole() implements ByteRange {
    }

    /** Inclusive positions, {@code 0 <= start <= end < size}. */
    record Part(long start, long end) implements ByteRange {
        long length() {
            return end - start + 1;
        }
    }

    record Unsatisfiable() implements ByteRange {
    }

    static ByteRange of(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        String value = header.strip();
        int eq = value.indexOf('=');
        if (eq < 0 || !value.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("bytes")) {
            return new Whole();
        }
        // A list may carry empty elements (RFC 9110 section 5.6.1): "bytes=0-9," is one range.
        List<String> specs = Arrays.stream(value.substring(eq + 1).split(",", -1)).map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (specs.size() != 1) {
            return new Whole(); // several ranges (multipart/byteranges) or none: send it all
        }
        Matcher m = SPEC.matcher(specs.getFirst());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new Whole();
        }
        if (m.group(1).isEmpty()) {
            long suffix = saturated(m.group(2));
            return suffix == 0 || size == 0 ? new Unsatisfiable() : new Part(Math.max(0, size - suffix), size - 1);
        }
        long start = saturated(m.group(1));
        long last = m.group(2).isEmpty() ? Long.MAX_VALUE : saturated(m.group(2));
        if (start >= size || last < start) {
            return new Unsatisfiable();
        }
        return new Part(start, Math.min(size - 1, last));
    }

    /** The digits' value, or {@link Long#MAX_VALUE} when they do not fit: no file is that large. */
    private static long saturated(String digits) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = digits.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return Long.MAX_VALUE;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
