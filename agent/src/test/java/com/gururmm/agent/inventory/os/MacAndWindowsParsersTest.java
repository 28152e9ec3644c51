package com.gururmm.agent.inventory.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.gururmm.agent.inventory.os.WindowsRegistry.Hive;
import com.gururmm.agent.inventory.os.WindowsRegistry.View;
import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * macOS (Info.plist, pkgutil, launchctl) on recorded output, and Windows on recorded {@code sc query}
 * output and a fake registry: the JNA registry itself cannot run on Linux, so this test pins the
 * mapping from keys and values to the inventory, not the Win32 calls.
 */
@Timeout(30)
class MacAndWindowsParsersTest {
    @Test
    void infoPlistGivesTheShortVersionAndIgnoresNestedDictionaries() throws Exception {
        assertThat(MacPackages.app("Firefox.app", Recorded.text("Info.plist"))).contains(new MacPackages.App("Firefox", "125.0.3"));
        String noShort = "<plist><dict><key>CFBundleVersion</key><string>42</string></dict></plist>";
        assertThat(MacPackages.app("Tool.app", noShort)).contains(new MacPackages.App("Tool", "42"));
        assertThat(MacPackages.app("Empty.app", "<plist><dict></dict></plist>")).isEmpty();
    }

    @Test
    void infoPlistWithAnExternalEntityIsNotResolved() {
        String hostile = "<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<plist><dict><key>CFBundleShortVersionString</key><string>&x;</string></dict></plist>";
        try {
            assertThat(MacPackages.app("Evil.app", hostile).map(MacPackages.App::version).orElse("")).doesNotContain("root:");
        } catch (Exception refused) {
            assertThat(refused).isNotNull(); // refusing the document is fine too
        }
    }

    @Test
    void pkgutilListsIdsAndReadsTheVersion() {
        assertThat(MacPackages.pkgIds(Recorded.text("pkgutil-pkgs.txt"))).hasSize(4).contains("us.zoom.pkg.videomeeting");
        assertThat(MacPackages.pkgVersion(Recorded.text("pkgutil-pkg-info.txt"))).contains("6.0.11.35001");
        assertThat(MacPackages.pkgVersion("package-id: x\nvolume: /\n")).isEmpty();
    }

    @Test
    void launchctlTellsRunningFromStoppedAndFailed() {
        assertThat(MacPackages.launchctl(Recorded.text("launchctl-list.txt"))).extracting(Service::name, Service::state).containsExactly(
                tuple("com.apple.SafariHistoryServiceAgent", "stopped"), tuple("com.apple.Finder", "running"),
                tuple("com.example.brokenjob", "failed"));
    }

    @Test
    void scQueryReadsStateFromItsNumber() {
        assertThat(ScQuery.parse(Recorded.text("sc-query.txt"))).extracting(Service::name, Service::displayName, Service::state).containsExactly(
                tuple("AdobeARMservice", "Adobe Acrobat Update Service", "running"),
                tuple("wuauserv", "Windows Update", "stopped"),
                tuple("Spooler", "Druckwarteschlange", "paused"));
    }

    /** A registry in memory: hive + view + path → values, sub-keys derived from the paths. */
    static final class FakeRegistry implements WindowsRegistry {
        final Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        final List<String> reads = new ArrayList<>();

        FakeRegistry put(Hive hive, View view, String path, Map<String, Object> values) {
            keys.put(hive + "|" + view + "|" + path, new HashMap<>(values));
            return this;
        }

        @Override
        public List<String> subKeys(Hive hive, String path, View view) {
            reads.add(hive + "|" + view + "|" + path);
            String prefix = hive + "|" + view + "|" + path + "\\";
            return keys.keySet().stream().filter(k -> k.startsWith(prefix) && !k.substring(prefix.length()).contains("\\"))
                    .map(k -> k.substring(prefix.length())).toList();
        }

        @Override
        public Map<String, Object> values(Hive hive, String path, View view) {
            return keys.getOrDefault(hive + "|" + view + "|" + path, Map.of());
        }

        @Override
        public boolean keyExists(Hive hive, String path, View view) {
            return keys.containsKey(hive + "|" + view + "|" + path);
        }
    }

    private static final String U = WindowsInventory.UNINSTALL;

    @Test
    void uninstallKeysOfBothViewsAndTheUserAreListedWithoutComponentsAndPatches() {
        FakeRegistry registry = new FakeRegistry()
                .put(Hive.HKLM, View.WOW64_64, U + "\\{7-ZIP}", Map.of("DisplayName", "7-Zip 23.01 (x64)", "DisplayVersion", "23.01"))
                .put(Hive.HKLM, View.WOW64_64, U + "\\{VCREDIST-MIN}", Map.of("DisplayName", "Microsoft Visual C++ 2022 X64 Minimum Runtime",
                        "DisplayVersion", "14.38.33130", "SystemComponent", 1))
                .put(Hive.HKLM, View.WOW64_64, U + "\\KB5034441", Map.of("DisplayName", "Security Update for Windows (KB5034441)",
                        "ParentKeyName", "OperatingSystem"))
                .put(Hive.HKLM, View.WOW64_64, U + "\\NoName", Map.of("DisplayVersion", "1.0"))
                .put(Hive.HKLM, View.WOW64_32, U + "\\Notepad++", Map.of("DisplayName", "Notepad++ (32-bit x86)", "DisplayVersion", "8.6.2"))
                .put(Hive.HKLM, View.WOW64_32, U + "\\AcroRead", Map.of("DisplayName", "Adobe Acrobat Reader", "DisplayVersion", "23.008.20470",
                        "ReleaseType", "Update"))
                .put(Hive.HKCU, View.NATIVE, U + "\\Zoom", Map.of("DisplayName", "Zoom", "DisplayVersion", "5.17.5 (31030)"));
        List<Software> software = new WindowsInventory(registry, argv -> "").software();
        assertThat(software).extracting(Software::name, Software::version, Software::arch, Software::source).containsExactly(
                tuple("7-Zip 23.01 (x64)", "23.01", "x64", "registry"),
                tuple("Notepad++ (32-bit x86)", "8.6.2", "x86", "registry"),
                tuple("Zoom", "5.17.5 (31030)", "user", "registry"));
        assertThat(registry.reads).containsExactly("HKLM|WOW64_64|" + U, "HKLM|WOW64_32|" + U, "HKCU|NATIVE|" + U);
    }

    @Test
    void servicesGetTheirStartModeFromTheRegistry() {
        FakeRegistry registry = new FakeRegistry()
                .put(Hive.HKLM, View.NATIVE, WindowsInventory.SERVICES + "\\wuauserv", Map.of("Start", 3))
                .put(Hive.HKLM, View.NATIVE, WindowsInventory.SERVICES + "\\AdobeARMservice", Map.of("Start", 2));
        List<String> ran = new ArrayList<>();
        List<Service> services = new WindowsInventory(registry, argv -> {
            ran.add(String.join(" ", argv));
            return Recorded.text("sc-query.txt");
        }).services();
        assertThat(ran).containsExactly("sc query type= service state= all");
        assertThat(services).extracting(Service::name, Service::state, Service::startMode).containsExactly(
                tuple("AdobeARMservice", "running", "auto"), tuple("wuauserv", "stopped", "demand"), tuple("Spooler", "paused", null));
    }

    @Test
    void rebootPendingFromAnyOfTheThreeMarkers() {
        Updates none = new WindowsInventory(new FakeRegistry()
                .put(Hive.HKLM, View.WOW64_64, WindowsInventory.SESSION_MANAGER, Map.of("PendingFileRenameOperations", new String[0])),
                argv -> "").updates();
        assertThat(none.rebootRequired()).isFalse();
        assertThat(new WindowsInventory(new FakeRegistry().put(Hive.HKLM, View.WOW64_64, WindowsInventory.CBS_REBOOT, Map.of()),
                argv -> "").updates().rebootRequired()).isTrue();
        assertThat(new WindowsInventory(new FakeRegistry().put(Hive.HKLM, View.WOW64_64, WindowsInventory.WU_REBOOT, Map.of()),
                argv -> "").updates().rebootSource()).contains("RebootRequired");
        Updates rename = new WindowsInventory(new FakeRegistry().put(Hive.HKLM, View.WOW64_64, WindowsInventory.SESSION_MANAGER,
                Map.of("PendingFileRenameOperations", new String[] {"\\??\\C:\\x.tmp", ""})), argv -> "").updates();
        assertThat(rename.rebootRequired()).isTrue();
        assertThat(rename.pendingCount()).as("not collected on Windows yet").isNull();
    }
}
