package com.gururmm.cli.inventory;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.agents.Agents;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Inventories.AgentInventory;
import com.gururmm.protocol.api.Inventories.RefreshRequested;
import com.gururmm.protocol.wire.SystemInventory.Hardware;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code GET /api/agents/{id}/inventory} (and its refresh). */
@Command(name = "inventory", mixinStandardHelpOptions = true,
        description = "Show an agent's system inventory: hardware, disks, file systems, updates; --software lists installed software.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm agents inventory web01", "  gururmm agents inventory web01 --software --filter openssl",
                "  gururmm agents inventory web01 --refresh", "  gururmm agents inventory web01 --output json | jq '.software | length'"})
public final class AgentsInventoryCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "AGENT", description = "Agent id, id prefix or hostname.")
    private String agent;

    @Option(names = "--software", description = "List the installed software instead of the summary.")
    private boolean software;

    @Option(names = "--services", description = "List the services and their state instead of the summary.")
    private boolean services;

    @Option(names = "--filter", paramLabel = "TEXT", description = "With --software or --services: only names containing TEXT (case-insensitive).")
    private String filter;

    @Option(names = "--refresh", description = "Ask the (online) agent for a fresh inventory now; it arrives within a minute or so.")
    private boolean refresh;

    @Override
    public Integer call() {
        GuruClient client = session.client();
        UUID id = Agents.resolve(client, agent).id();
        if (refresh) {
            RefreshRequested r = client.refreshInventory(id);
            output.print(r, () -> Table.fields().row("agent", r.agentId()).row("request_id", r.requestId())
                    .row("note", "requested; 'gururmm agents inventory " + agent + "' shows it once collected_at changes"));
            return ExitCode.OK;
        }
        AgentInventory inv = client.inventory(id);
        String needle = filter == null ? null : filter.toLowerCase(java.util.Locale.ROOT);
        if (software) {
            var items = inv.software().stream().filter(s -> needle == null || s.name().toLowerCase(java.util.Locale.ROOT).contains(needle)).toList();
            output.print(items, () -> {
                Table t = Table.of("NAME", "VERSION", "ARCH", "SOURCE");
                items.forEach(s -> t.row(s.name(), s.version(), s.arch(), s.source()));
                return t;
            });
            return ExitCode.OK;
        }
        if (services) {
            var items = inv.services().stream().filter(s -> needle == null || s.name().toLowerCase(java.util.Locale.ROOT).contains(needle)).toList();
            output.print(items, () -> {
                Table t = Table.of("NAME", "STATE", "START", "DISPLAY NAME");
                items.forEach(s -> t.row(s.name(), s.state(), s.startMode(), s.displayName()));
                return t;
            });
            return ExitCode.OK;
        }
        Hardware h = inv.hardware();
        output.print(inv, () -> {
            Table t = Table.fields().row("agent", inv.agentId()).row("collected_at", inv.collectedAt());
            if (h != null) {
                t.row("manufacturer", h.manufacturer()).row("model", h.model()).row("serial", h.serialNumber())
                        .row("cpu", h.cpuModel() + " (" + h.cpuCores() + " cores, " + h.cpuThreads() + " threads)")
                        .row("memory", gib(h.memoryBytes())).row("bios", h.biosVendor() + " " + h.biosVersion() + " " + h.biosDate());
            }
            inv.disks().forEach(d -> t.row("disk", d.name() + " " + gib(d.sizeBytes()) + (d.model() == null ? "" : " " + d.model())));
            inv.filesystems().forEach(f -> t.row("filesystem", f.mount() + " " + f.type() + " " + gib(f.totalBytes()) + ", " + f.freePercent() + " % free"));
            inv.networkInterfaces().forEach(n -> t.row("nic", n.name() + " " + n.mac() + " " + String.join(", ", n.addresses())));
            t.row("software", inv.software().size() + " packages (--software lists them)");
            t.row("services", inv.services().size() + " (--services lists them)");
            if (inv.updates() != null) {
                t.row("pending_updates", inv.updates().pendingCount() == null ? "unknown" : inv.updates().pendingCount()
                        + (inv.updates().oldestPendingSince() == null ? "" : ", oldest pending since " + inv.updates().oldestPendingSince())
                        + " (" + inv.updates().source() + ")");
                t.row("reboot_required", inv.updates().rebootRequired());
            }
            if (!inv.errors().isEmpty()) {
                t.row("errors", inv.errors().stream().map(e -> e.collector() + ": " + e.error()).collect(Collectors.joining("; ")));
            }
            return t;
        });
        return ExitCode.OK;
    }

    private static String gib(Long bytes) {
        return bytes == null ? "?" : String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
