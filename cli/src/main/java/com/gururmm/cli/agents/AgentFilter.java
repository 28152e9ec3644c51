package com.gururmm.cli.agents;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Mixin: the server-side filters of {@code GET /api/agents}, shared by {@code agents list} and {@code run}. */
public final class AgentFilter {
    /** The two liveness states; an enum so picocli rejects typos and completes the names. */
    public enum Status {
        online, offline
    }

    @Option(names = "--status", paramLabel = "STATUS", description = "online or offline.")
    private Status status;

    @Option(names = "--os", paramLabel = "OS", description = "windows, linux or macos.")
    private String os;

    @Option(names = "--hostname", paramLabel = "GLOB", description = "Hostname glob, e.g. 'web*' ('*' and '?'; case-insensitive).")
    private String hostname;

    @Option(names = "--site", paramLabel = "SITE", description = "Site name (case-insensitive; any client's site of that name).")
    private String site;

    @Option(names = "--client-id", paramLabel = "ID", description = "Only agents of this client ('gururmm clients list').")
    private String clientId;

    @Option(names = "--site-id", paramLabel = "ID", description = "Only agents of this site ('gururmm sites list').")
    private String siteId;

    public boolean isEmpty() {
        return status == null && os == null && hostname == null && site == null && clientId == null && siteId == null;
    }

    /** Query parameters for {@code GuruClient.agents(Map)}. */
    public Map<String, String> query() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("status", status == null ? null : status.name());
        query.put("os", os);
        query.put("hostname", hostname);
        query.put("site", site);
        query.put("client_id", clientId);
        query.put("site_id", siteId);
        return query;
    }
}
