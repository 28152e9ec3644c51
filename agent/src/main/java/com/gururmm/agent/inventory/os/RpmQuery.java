package com.gururmm.agent.inventory.os;

import com.gururmm.protocol.wire.SystemInventory.Software;
import java.util.ArrayList;
import java.util.List;

/** {@code rpm -qa --queryformat} with {@link #QUERY_FORMAT}: one package a line, tab-separated. */
public final class RpmQuery {
    /** Name, epoch ({@code (none)} when unset), version-release, arch. */
    public static final String QUERY_FORMAT = "%{NAME}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n";

    private RpmQuery() {
    }

    public static List<String> command() {
        return List.of("rpm", "-qa", "--queryformat", QUERY_FORMAT);
    }

    public static List<Software> parse(String output) {
        List<Software> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.split("\t");
            if (f.length != 4 || f[0].isBlank() || f[0].equals("gpg-pubkey")) {
                continue; // gpg-pubkey entries are imported signing keys, not software
            }
            String epoch = f[1].trim();
            String version = epoch.isEmpty() || epoch.equals("(none)") || epoch.equals("0") ? f[2].trim() : epoch + ":" + f[2].trim();
            String arch = f[3].trim().equals("(none)") ? null : f[3].trim();
            out.add(new Software(f[0].trim(), version, arch, "rpm"));
        }
        return out;
    }
}
