package com.gururmm.cli.inventory;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Inventories.SearchResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code GET /api/inventory/search}. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Which machines have software X below version Y, a file system under N % free, pending updates, a reboot pending.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm inventory search --software openssl --below 3.0.13", "  gururmm inventory search --free-below 10",
                "  gururmm inventory search --pending-older-than-days 30 --output json", "  gururmm inventory search --reboot-required"})
public final class InventorySearchCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Option(names = "--software", paramLabel = "NAME", description = "Package name, case-insensitive; * and ? are wildcards.")
    private String software;

    @Option(names = "--below", paramLabel = "VERSION", description = "With --software: only versions lower than VERSION (dpkg ordering).")
    private String below;

    @Option(names = "--free-below", paramLabel = "PERCENT", description = "A file system with less than PERCENT free.")
    private String freeBelow;

    @Option(names = "--pending-above", paramLabel = "N", description = "More than N pending OS updates.")
    private String pendingAbove;

    @Option(names = "--pending-older-than-days", paramLabel = "DAYS", description = "An update pending for more than DAYS days.")
    private String pendingOlder;

    @Option(names = "--reboot-required", description = "Only machines waiting for a reboot.")
    private boolean reboot;

    @Option(names = "--limit", paramLabel = "N", description = "At most N agents (default 100, at most 1000).")
    private String limit;

    @Override
    public Integer call() {
        if (below != null && software == null) {
            throw CliException.usage("--below needs --software (which package's version).");
        }
        Map<String, String> q = new LinkedHashMap<>();
        put(q, "software", software);
        put(q, "version_below", below);
        put(q, "filesystem_free_below_percent", freeBelow);
        put(q, "pending_updates_above", pendingAbove);
        put(q, "pending_updates_older_than_days", pendingOlder);
        put(q, "reboot_required", reboot ? "true" : null);
        put(q, "limit", limit);
        if (q.isEmpty() || (q.size() == 1 && q.containsKey("limit"))) {
            throw CliException.usage("Give a filter: --software (with --below), --free-below, --pending-above, --pending-older-than-days"
                    + " or --reboot-required.");
        }
        SearchResult result = session.client().searchInventory(q);
        output.print(result, () -> {
            Table t = Table.of("AGENT", "HOSTNAME", "SITE", "MATCH");
            result.results().forEach(h -> t.row(h.agentId(), h.hostname(), h.site(), String.join("; ",
                    h.software().stream().map(s -> s.name() + " " + s.version()).collect(Collectors.joining(", ")),
                    h.filesystems().stream().map(f -> f.mount() + " " + f.freePercent() + " % free").collect(Collectors.joining(", ")),
                    h.pendingUpdates() == null ? "" : h.pendingUpdates() + " pending" + (h.oldestPendingSince() == null ? ""
                            : " since " + h.oldestPendingSince()),
                    Boolean.TRUE.equals(h.rebootRequired()) ? "reboot required" : "").replaceAll("(; )+$", "").replaceAll("^(; )+", "")
                    .replaceAll("(; ){2,}", "; ")));
            return t;
        });
        if (result.truncated() && !output.isJson()) {
            output.err().println("(more agents match; raise --limit)");
        }
        return ExitCode.OK;
    }

    private static void put(Map<String, String> q, String key, String value) {
        if (value != null) {
            q.put(key, value);
        }
    }
}
