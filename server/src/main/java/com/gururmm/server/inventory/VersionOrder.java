package com.gururmm.server.inventory;

import java.util.Comparator;

/**
 * Orders package versions the way dpkg does (Debian Policy 5.6.12), which is also good enough for
 * rpm ({@code 1.2.10 > 1.2.9}), Windows ({@code 23.01}, {@code 5.17.5 (31030)}) and macOS versions:
 * an optional numeric {@code epoch:} first, then the upstream version, then the {@code -revision}
 * after the last hyphen. Each part is compared as alternating runs of non-digits (ASCII order,
 * letters before other characters, {@code ~} before everything, even the end: {@code 1.0~rc1 < 1.0})
 * and digits (numerically, leading zeros ignored: {@code 1.010 = 1.10}).
 */
public final class VersionOrder implements Comparator<String> {
    public static final VersionOrder INSTANCE = new VersionOrder();

    private VersionOrder() {
    }

    @Override
    public int compare(String a, String b) {
        Parsed x = parse(a);
        Parsed y = parse(b);
        int epoch = Long.compare(x.epoch, y.epoch);
        if (epoch != 0) {
            return epoch;
        }
        int upstream = verrevcmp(x.upstream, y.upstream);
        return upstream != 0 ? upstream : verrevcmp(x.revision, y.revision);
    }

    private record Parsed(long epoch, String upstream, String revision) {
    }

    private static Parsed parse(String version) {
        String v = version == null ? "" : version.strip();
        long epoch = 0;
        int colon = v.indexOf(':');
        if (colon > 0 && colon <= 9 && v.substring(0, colon).chars().allMatch(Character::isDigit)) {
            epoch = Long.parseLong(v.substring(0, colon));
            v = v.substring(colon + 1);
        }
        int hyphen = v.lastIndexOf('-');
        return hyphen > 0 ? new Parsed(epoch, v.substring(0, hyphen), v.substring(hyphen + 1)) : new Parsed(epoch, v, "");
    }

    private static int order(String s, int i) {
        if (i >= s.length()) {
            return 0;
        }
        char c = s.charAt(i);
        if (isDigit(c)) {
            return 0;
        }
        if (Character.isLetter(c) && c < 128) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c + 256;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static int verrevcmp(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while ((i < a.length() && !isDigit(a.charAt(i))) || (j < b.length() && !isDigit(b.charAt(j)))) {
                int ac = order(a, i);
                int bc = order(b, j);
                if (ac != bc) {
                    return Integer.signum(ac - bc);
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            while (i < a.length() && isDigit(a.charAt(i)) && j < b.length() && isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < a.length() && isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return Integer.signum(firstDiff);
            }
        }
        return 0;
    }
}
