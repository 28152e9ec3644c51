package com.gururmm.agent.inventory.os;

import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * macOS: apps in {@code /Applications} (their Info.plist, through {@code plutil} so binary plists
 * read too), installer packages from {@code pkgutil}, launchd jobs from {@code launchctl list}.
 * Pending updates are not collected ({@code softwareupdate -l} contacts Apple and takes minutes).
 */
public final class MacInventory implements OsInventory {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(20);
    private static final int MAX_PKG_INFO = 2000;
    private final Path applications;

    public MacInventory(Path applications) {
        this.applications = applications;
    }

    @Override
    public List<Software> software() throws Exception {
        List<Software> out = new ArrayList<>();
        if (Files.isDirectory(applications)) {
            try (DirectoryStream<Path> apps = Files.newDirectoryStream(applications, "*.app")) {
                for (Path app : apps) {
                    Path plist = app.resolve("Contents/Info.plist");
                    if (!Files.isRegularFile(plist)) {
                        continue;
                    }
                    Tool.Result xml = Tool.run(List.of("plutil", "-convert", "xml1", "-o", "-", plist.toString()), TOOL_TIMEOUT);
                    if (xml.exitCode() == 0) {
                        MacPackages.app(app.getFileName().toString(), xml.stdout())
                                .ifPresent(a -> out.add(new Software(a.name(), a.version(), null, "app")));
                    }
                }
            }
        }
        Tool.Result pkgs = Tool.run(List.of("pkgutil", "--pkgs"), TOOL_TIMEOUT);
        if (pkgs.exitCode() != 0) {
            throw new IOException("pkgutil --pkgs exited " + pkgs.exitCode());
        }
        int n = 0;
        for (String id : MacPackages.pkgIds(pkgs.stdout())) {
            if (++n > MAX_PKG_INFO) {
                break;
            }
            Tool.Result info = Tool.run(List.of("pkgutil", "--pkg-info", id), TOOL_TIMEOUT);
            MacPackages.pkgVersion(info.stdout()).ifPresent(v -> out.add(new Software(id, v, null, "pkgutil")));
        }
        return out;
    }

    @Override
    public List<Service> services() throws Exception {
        Tool.Result r = Tool.run(List.of("launchctl", "list"), TOOL_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IOException("launchctl list exited " + r.exitCode());
        }
        return MacPackages.launchctl(r.stdout());
    }

    @Override
    public Updates updates() {
        return new Updates(null, null, null, List.of(), null, null);
    }
}
