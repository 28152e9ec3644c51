package com.gururmm.server.inventory;

import com.gururmm.protocol.api.Inventories.SoftwareChange;
import com.gururmm.protocol.wire.SystemInventory.Software;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed between two software lists. A package is keyed by source, name and arch; one
 * version before and one after is an upgrade or downgrade ({@link VersionOrder}); several
 * versions side by side (rpm kernels) become installed/removed per version.
 */
final class SoftwareDiff {
    private SoftwareDiff() {
    }

    static List<SoftwareChange> changes(List<Software> before, List<Software> after, Instant at) {
        Map<String, TreeSet<String>> old = index(before);
        Map<String, TreeSet<String>> now = index(after);
        List<SoftwareChange> out = new ArrayList<>();
        for (Map.Entry<String, TreeSet<String>> e : now.entrySet()) {
            String[] key = e.getKey().split("\u0000", -1);
            TreeSet<String> was = old.get(e.getKey());
            TreeSet<String> is = e.getValue();
            if (was == null) {
                is.forEach(v -> out.add(change(at, "installed", key, null, v)));
            } else if (!was.equals(is)) {
                if (was.size() == 1 && is.size() == 1) {
                    String from = was.first();
                    String to = is.first();
                    out.add(change(at, VersionOrder.INSTANCE.compare(to, from) >= 0 ? "upgraded" : "downgraded", key, from, to));
                } else {
                    was.stream().filter(v -> !is.contains(v)).forEach(v -> out.add(change(at, "removed", key, v, null)));
                    is.stream().filter(v -> !was.contains(v)).forEach(v -> out.add(change(at, "installed", key, null, v)));
                }
            }
        }
        for (Map.Entry<String, TreeSet<String>> e : old.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                String[] key = e.getKey().split("\u0000", -1);
                e.getValue().forEach(v -> out.add(change(at, "removed", key, v, null)));
            }
        }
        return out;
    }

    private static SoftwareChange change(Instant at, String event, String[] key, String from, String to) {
        return new SoftwareChange(at, event, key[1], key[2].isEmpty() ? null : key[2], key[0], from, to);
    }

    private static Map<String, TreeSet<String>> index(List<Software> software) {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (Software s : software) {
            String key = s.source() + "\u0000" + s.name() + "\u0000" + Objects.requireNonNullElse(s.arch(), "");
            out.computeIfAbsent(key, k -> new TreeSet<>(VersionOrder.INSTANCE)).add(s.version());
        }
        return out;
    }
}
