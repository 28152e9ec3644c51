package com.gururmm.agent.inventory.os;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.wire.SystemInventory.Service;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * systemd services: {@code systemctl list-units --type=service --all --output=json} (systemd 246+)
 * or, on older systemd, the plain table of {@code --no-legend --plain}; the start mode comes from
 * {@code systemctl list-unit-files --type=service --output=json} (or its plain table).
 */
public final class Systemctl {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Systemctl() {
    }

    public static List<String> unitsJson() {
        return List.of("systemctl", "list-units", "--type=service", "--all", "--output=json", "--no-pager");
    }

    public static List<String> unitsPlain() {
        return List.of("systemctl", "list-units", "--type=service", "--all", "--no-legend", "--plain", "--no-pager");
    }

    public static List<String> unitFilesJson() {
        return List.of("systemctl", "list-unit-files", "--type=service", "--output=json", "--no-pager");
    }

    public static List<String> unitFilesPlain() {
        return List.of("systemctl", "list-unit-files", "--type=service", "--no-legend", "--plain", "--no-pager");
    }

    /** Units from either output form; {@code startModes} maps unit file names to enabled/disabled/static... */
    public static List<Service> parseUnits(String output, Map<String, String> startModes) throws IOException {
        String trimmed = output.trim();
        List<Service> out = new ArrayList<>();
        if (trimmed.startsWith("[")) {
            for (JsonNode unit : MAPPER.readTree(trimmed)) {
                String name = unit.path("unit").asText("");
                if (!name.isEmpty()) {
                    out.add(service(name, unit.path("description").asText(null), unit.path("active").asText(""),
                            unit.path("sub").asText(""), startModes));
                }
            }
            return out;
        }
        for (String line : trimmed.split("\n")) {
            String l = line.strip();
            if (l.startsWith("\u25cf") || l.startsWith("*")) {
                l = l.substring(1).strip(); // systemd marks failed/not-found units with a bullet
            }
            String[] f = l.split("\\s+", 5);
            if (f.length >= 4 && f[0].endsWith(".service")) {
                out.add(service(f[0], f.length == 5 ? f[4] : null, f[2], f[3], startModes));
            }
        }
        return out;
    }

    /** unit file name → state, from the JSON or plain form of list-unit-files. */
    public static Map<String, String> parseUnitFiles(String output) throws IOException {
        Map<String, String> out = new HashMap<>();
        String trimmed = output.trim();
        if (trimmed.startsWith("[")) {
            for (JsonNode file : MAPPER.readTree(trimmed)) {
                out.put(file.path("unit_file").asText(""), file.path("state").asText(""));
            }
            return out;
        }
        for (String line : trimmed.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2) {
                out.put(f[0], f[1]);
            }
        }
        return out;
    }

    private static Service service(String name, String description, String active, String sub, Map<String, String> startModes) {
        String state = switch (active) {
            case "active" -> sub.equals("running") ? "running" : sub.isEmpty() ? "active" : sub;
            case "failed" -> "failed";
            case "inactive" -> "stopped";
            default -> active.isEmpty() ? "unknown" : active;
        };
        String mode = startModes.get(name);
        return new Service(name, description == null || description.isBlank() ? null : description, state,
                mode == null || mode.isBlank() ? null : mode);
    }
}
