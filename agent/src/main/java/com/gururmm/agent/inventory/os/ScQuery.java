package com.gururmm.agent.inventory.os;

import com.gururmm.protocol.wire.SystemInventory.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sc query type= service state= all}: one block per service, {@code SERVICE_NAME:},
 * {@code DISPLAY_NAME:} and an indented {@code STATE : 4  RUNNING} line. Field names are English
 * on every display language; the state is taken from its number, which never changes.
 */
public final class ScQuery {
    private ScQuery() {
    }

    public static List<Service> parse(String output) {
        List<Service> out = new ArrayList<>();
        String name = null;
        String display = null;
        for (String raw : output.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("SERVICE_NAME:")) {
                name = line.substring(13).strip();
                display = null;
            } else if (line.startsWith("DISPLAY_NAME:")) {
                display = line.substring(13).strip();
            } else if (line.startsWith("STATE") && name != null) {
                int colon = line.indexOf(':');
                String[] f = line.substring(colon + 1).strip().split("\\s+");
                out.add(new Service(name, display == null || display.isEmpty() ? null : display, state(f[0], f.length > 1 ? f[1] : ""), null));
                name = null;
            }
        }
        return out;
    }

    static String state(String code, String word) {
        return switch (code) {
            case "1" -> "stopped";
            case "2" -> "start_pending";
            case "3" -> "stop_pending";
            case "4" -> "running";
            case "5" -> "continue_pending";
            case "6" -> "pause_pending";
            case "7" -> "paused";
            default -> word.toLowerCase(Locale.ROOT);
        };
    }
}
