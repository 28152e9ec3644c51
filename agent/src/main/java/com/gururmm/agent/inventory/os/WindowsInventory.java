package com.gururmm.agent.inventory.os;

import com.gururmm.agent.inventory.os.WindowsRegistry.Hive;
import com.gururmm.agent.inventory.os.WindowsRegistry.View;
import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Windows: installed programs from the registry's Uninstall keys (HKLM 64-bit, HKLM 32-bit and
 * HKCU), services from {@code sc query} with their start mode from the registry, and the reboot
 * flag from the keys Windows Update and CBS set. The pending-updates count needs the Windows
 * Update Agent COM API and is not collected yet. Unit-tested with a fake registry and recorded
 * {@code sc} output; the JNA calls themselves could not run on the Linux build machines.
 */
public final class WindowsInventory implements OsInventory {
    static final String UNINSTALL = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall";
    static final String SERVICES = "SYSTEM\\CurrentControlSet\\Services";
    static final String CBS_REBOOT = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending";
    static final String WU_REBOOT = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired";
    static final String SESSION_MANAGER = "SYSTEM\\CurrentControlSet\\Control\\Session Manager";

    private final WindowsRegistry registry;
    private final Function<List<String>, String> scQuery;

    /** @param scQuery runs {@code sc query ...} and returns its output */
    WindowsInventory(WindowsRegistry registry, Function<List<String>, String> scQuery) {
        this.registry = registry;
        this.scQuery = scQuery;
    }

    public static WindowsInventory real() {
        return new WindowsInventory(new JnaRegistry(), argv -> {
            try {
                return Tool.run(argv, Duration.ofSeconds(30)).stdout();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public List<Software> software() {
        List<Software> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        read(Hive.HKLM, View.WOW64_64, "x64", out, seen);
        read(Hive.HKLM, View.WOW64_32, "x86", out, seen);
        read(Hive.HKCU, View.NATIVE, null, out, seen);
        return out;
    }

    private void read(Hive hive, View view, String arch, List<Software> out, Set<String> seen) {
        for (String key : registry.subKeys(hive, UNINSTALL, view)) {
            Map<String, Object> v = registry.values(hive, UNINSTALL + "\\" + key, view);
            String name = text(v.get("DisplayName"));
            if (name == null || isHidden(v)) {
                continue;
            }
            String version = text(v.get("DisplayVersion"));
            // The same product can be listed in both views (a 64-bit OS without a 32-bit view redirect): list it once.
            if (seen.add(name + "\u0000" + version + "\u0000" + arch)) {
                out.add(new Software(name, version == null ? "" : version, hive == Hive.HKCU ? "user" : arch, "registry"));
            }
        }
    }

    /** Windows Installer components and patches (SystemComponent=1, ParentKeyName, ReleaseType Update) are not programs. */
    static boolean isHidden(Map<String, Object> values) {
        Object component = values.get("SystemComponent");
        if (component instanceof Number n && n.intValue() == 1) {
            return true;
        }
        if (values.get("ParentKeyName") != null) {
            return true;
        }
        String type = text(values.get("ReleaseType"));
        return type != null && (type.equals("Update") || type.equals("Hotfix") || type.equals("Security Update"));
    }

    @Override
    public List<Service> services() {
        List<Service> services = ScQuery.parse(scQuery.apply(List.of("sc", "query", "type=", "service", "state=", "all")));
        List<Service> out = new ArrayList<>(services.size());
        for (Service s : services) {
            Object start = registry.values(Hive.HKLM, SERVICES + "\\" + s.name(), View.NATIVE).get("Start");
            out.add(new Service(s.name(), s.displayName(), s.state(), start instanceof Number n ? startMode(n.intValue()) : null));
        }
        return out;
    }

    static String startMode(int start) {
        return switch (start) {
            case 0 -> "boot";
            case 1 -> "system";
            case 2 -> "auto";
            case 3 -> "demand";
            case 4 -> "disabled";
            default -> null;
        };
    }

    @Override
    public Updates updates() {
        String source = null;
        if (registry.keyExists(Hive.HKLM, CBS_REBOOT, View.WOW64_64)) {
            source = "Component Based Servicing\\RebootPending";
        } else if (registry.keyExists(Hive.HKLM, WU_REBOOT, View.WOW64_64)) {
            source = "WindowsUpdate\\Auto Update\\RebootRequired";
        } else if (registry.values(Hive.HKLM, SESSION_MANAGER, View.WOW64_64).get("PendingFileRenameOperations") instanceof String[] ops
                && ops.length > 0) {
            source = "Session Manager\\PendingFileRenameOperations";
        }
        return new Updates(null, null, null, List.of(), source != null, source == null ? "registry" : source);
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isBlank() ? s.trim() : null;
    }
}
