package com.gururmm.agent.inventory.os;

import java.util.ArrayList;
import java.util.List;

/** Parsers for the pending-update tools: {@code apt-get -s upgrade}, {@code apt-check}, {@code dnf check-update}. */
public final class PendingUpdates {
    /** Count and names; {@code security} is null when the tool does not tell. */
    public record Pending(int count, Integer security, List<String> packages) {
    }

    private PendingUpdates() {
    }

    /**
     * {@code apt-get -s upgrade} prints one {@code Inst NAME [OLD] (NEW ORIGIN [ARCH])} line per
     * package it would upgrade; an origin with {@code -security} is a security update.
     */
    public static Pending aptSimulate(String output) {
        List<String> names = new ArrayList<>();
        int security = 0;
        for (String line : output.split("\n")) {
            if (!line.startsWith("Inst ")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length >= 2) {
                names.add(f[1]);
                if (line.contains("-security") || line.contains("Debian-Security")) {
                    security++;
                }
            }
        }
        return new Pending(names.size(), security, names);
    }

    /** update-notifier's {@code apt-check} prints {@code UPGRADES;SECURITY} on stderr. */
    public static Pending aptCheck(String stderr) {
        String[] f = stderr.trim().split(";");
        if (f.length != 2) {
            throw new IllegalArgumentException("apt-check printed '" + stderr.trim() + "', not UPGRADES;SECURITY");
        }
        return new Pending(Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim()), List.of());
    }

    /**
     * {@code dnf check-update -q}: exit 100 and one {@code NAME.ARCH VERSION REPO} line per update
     * (exit 0: none). An {@code Obsoleting Packages} section that may follow lists replacements, not updates.
     */
    public static Pending dnfCheckUpdate(String output) {
        List<String> names = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("Obsoleting")) {
                break;
            }
            if (line.isBlank() || line.startsWith(" ") || line.startsWith("Last metadata") || line.startsWith("Security:")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                int dot = f[0].lastIndexOf('.');
                names.add(dot > 0 ? f[0].substring(0, dot) : f[0]);
            }
        }
        return new Pending(names.size(), null, names);
    }
}
