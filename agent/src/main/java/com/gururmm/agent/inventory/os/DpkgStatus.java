package com.gururmm.agent.inventory.os;

import com.gururmm.protocol.wire.SystemInventory.Software;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses dpkg's status file ({@code /var/lib/dpkg/status}, deb822 stanzas separated by blank
 * lines). Only packages whose {@code Status} ends in {@code installed} are listed: a removed
 * package whose configuration files remain ({@code deinstall ok config-files}) is not installed.
 * Reading the file instead of running {@code dpkg-query} costs no process and works in a sandbox.
 */
public final class DpkgStatus {
    private DpkgStatus() {
    }

    public static List<Software> parse(BufferedReader reader) throws IOException {
        List<Software> out = new ArrayList<>();
        String name = null;
        String version = null;
        String arch = null;
        String status = null;
        String line;
        while (true) {
            line = reader.readLine();
            if (line == null || line.isBlank()) {
                if (name != null && version != null && status != null && isInstalled(status)) {
                    out.add(new Software(name, version, arch, "dpkg"));
                }
                name = version = arch = status = null;
                if (line == null) {
                    return out;
                }
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                continue; // continuation of a multi-line field (Description, Conffiles)
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String field = line.substring(0, colon);
            String value = line.substring(colon + 1).trim();
            switch (field) {
                case "Package" -> name = value;
                case "Version" -> version = value;
                case "Architecture" -> arch = value;
                case "Status" -> status = value;
                default -> {
                }
            }
        }
    }

    /** {@code want flag state}: the third word is the package state. */
    static boolean isInstalled(String status) {
        String[] words = status.trim().split("\\s+");
        return words.length == 3 && words[2].equals("installed");
    }
}
