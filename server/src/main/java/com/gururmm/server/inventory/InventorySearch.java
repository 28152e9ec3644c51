package com.gururmm.server.inventory;

import com.gururmm.server.http.ApiException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The query of {@code GET /api/inventory/search}, validated: every bad or unknown parameter is a
 * 400 that names it.
 *
 * @param software          name, case-insensitive, {@code *} and {@code ?} as wildcards
 * @param versionBelow      with {@code software}: only versions lower than this ({@link VersionOrder})
 * @param freeBelowPercent  a file system with less than this share free
 * @param pendingAbove      more than this many pending OS updates
 * @param pendingOlderThanDays an update pending for more than this many days
 * @param rebootRequired    the reboot flag equals this
 */
record InventorySearch(String software, String versionBelow, Double freeBelowPercent, Integer pendingAbove,
                       Integer pendingOlderThanDays, Boolean rebootRequired, int limit) {
    static final Set<String> PARAMS = Set.of("software", "version_below", "filesystem_free_below_percent", "pending_updates_above",
            "pending_updates_older_than_days", "reboot_required", "limit");

    static InventorySearch parse(Map<String, String> params) {
        for (String key : params.keySet()) {
            if (!PARAMS.contains(key)) {
                throw ApiException.badRequest("Unknown parameter '" + clip(key) + "'; use " + String.join(", ", PARAMS.stream().sorted().toList()) + ".");
            }
        }
        String software = text(params, "software", 200);
        String versionBelow = text(params, "version_below", 100);
        if (versionBelow != null && software == null) {
            throw ApiException.badRequest("'version_below' needs 'software' (which package's version).");
        }
        Double free = null;
        if (params.get("filesystem_free_below_percent") != null) {
            try {
                free = Double.parseDouble(params.get("filesystem_free_below_percent").trim());
            } catch (NumberFormatException e) {
                free = Double.NaN;
            }
            if (free.isNaN() || free <= 0 || free > 100) {
                throw ApiException.badRequest("'filesystem_free_below_percent' must be a number above 0 and at most 100; got '"
                        + clip(params.get("filesystem_free_below_percent")) + "'.");
            }
        }
        Integer pendingAbove = integer(params, "pending_updates_above", 0, 1_000_000);
        Integer olderThan = integer(params, "pending_updates_older_than_days", 0, 3650);
        Boolean reboot = null;
        String rebootText = params.get("reboot_required");
        if (rebootText != null) {
            if (!rebootText.equals("true") && !rebootText.equals("false")) {
                throw ApiException.badRequest("'reboot_required' must be true or false; got '" + clip(rebootText) + "'.");
            }
            reboot = Boolean.parseBoolean(rebootText);
        }
        Integer limit = integer(params, "limit", 1, InventoryService.MAX_LIMIT);
        if (software == null && free == null && pendingAbove == null && olderThan == null && reboot == null) {
            throw ApiException.badRequest("Give at least one filter: software (with version_below), filesystem_free_below_percent,"
                    + " pending_updates_above, pending_updates_older_than_days or reboot_required.");
        }
        return new InventorySearch(software, versionBelow, free, pendingAbove, olderThan, reboot,
                limit == null ? InventoryService.DEFAULT_LIMIT : limit);
    }

    /** {@link #software} as a LIKE pattern over lower-cased names, escape {@code !}. */
    String softwareLike() {
        StringBuilder out = new StringBuilder();
        for (char c : software.toLowerCase(Locale.ROOT).toCharArray()) {
            switch (c) {
                case '!', '%', '_' -> out.append('!').append(c);
                case '*' -> out.append('%');
                case '?' -> out.append('_');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String text(Map<String, String> params, String key, int max) {
        String value = params.get(key);
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw ApiException.badRequest("'" + key + "' is empty; leave it out or give a value.");
        }
        if (value.length() > max) {
            throw ApiException.badRequest("'" + key + "' is longer than " + max + " characters.");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ApiException.badRequest("'" + key + "' contains control characters.");
        }
        return value.strip();
    }

    private static Integer integer(Map<String, String> params, String key, int min, int max) {
        String value = params.get(key);
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badRequest("'" + key + "' must be a whole number from " + min + " to " + max + "; got '" + clip(value) + "'.");
    }

    private static String clip(String value) {
        String v = value.length() > 60 ? value.substring(0, 60) + "..." : value;
        return v.replaceAll("\\p{Cntrl}", "?");
    }
}
