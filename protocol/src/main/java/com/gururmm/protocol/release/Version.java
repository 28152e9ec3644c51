package com.gururmm.protocol.release;

import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent version, compared numerically part by part (SPEC section 6: {@code 0.6.51 > 0.6.9}).
 * Up to four numeric parts; missing parts count as zero ({@code 1.2 == 1.2.0}). An optional
 * pre-release suffix ({@code 1.0.0-rc1}) sorts before the plain version, as in SemVer.
 */
public record Version(int[] parts, String suffix) implements Comparable<Version> {
    /** What a release file may carry: digits and dots, optionally {@code -} and a word without dots. */
    public static final String FILE_PATTERN = "\\d{1,6}(?:\\.\\d{1,6}){0,3}(?:-[0-9A-Za-z]{1,20})?";
    private static final Pattern STRICT = Pattern.compile("(\\d{1,6}(?:\\.\\d{1,6}){0,3})(?:-([0-9A-Za-z]{1,20}))?");
    /** Agents report versions like {@code 0.1.0-dev+abc}; only the leading numbers matter for ordering. */
    private static final Pattern LENIENT = Pattern.compile("(\\d{1,6}(?:\\.\\d{1,6}){0,3})(?:[-+]([0-9A-Za-z.+-]{0,60}))?");

    /** A version as written in a release file name; empty if it is not one. */
    public static Optional<Version> parse(String text) {
        return match(STRICT, text);
    }

    /** A version an agent reports; anything unreadable counts as the oldest possible (0). */
    public static Version parseLenient(String text) {
        return match(LENIENT, text).orElse(new Version(new int[] {0}, "unknown"));
    }

    private static Optional<Version> match(Pattern pattern, String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        int[] parts = Arrays.stream(m.group(1).split("\\.")).mapToInt(Integer::parseInt).toArray();
        String suffix = m.group(2) == null || m.group(2).isEmpty() ? null : m.group(2);
        return Optional.of(new Version(parts, suffix));
    }

    public boolean isNewerThan(Version other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Version other) {
        for (int i = 0; i < Math.max(parts.length, other.parts.length); i++) {
            int a = i < parts.length ? parts[i] : 0;
            int b = i < other.parts.length ? other.parts[i] : 0;
            if (a != b) {
                return Integer.compare(a, b);
            }
        }
        if (suffix == null || other.suffix == null) {
            return suffix == null ? (other.suffix == null ? 0 : 1) : -1;
        }
        return suffix.compareTo(other.suffix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        int[] trimmed = parts;
        int n = trimmed.length;
        while (n > 1 && trimmed[n - 1] == 0) {
            n--;
        }
        return 31 * Arrays.hashCode(Arrays.copyOf(trimmed, n)) + (suffix == null ? 0 : suffix.hashCode());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            sb.append(i == 0 ? "" : ".").append(parts[i]);
        }
        return suffix == null ? sb.toString() : sb + "-" + suffix;
    }
}
