package com.gururmm.server.cluster;

import com.gururmm.server.config.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a node takes part in a cluster (docs/OPERATIONS.md, "Cluster").
 *
 * @param nodeName  this node's name in the {@code nodes} and {@code leases} tables and on the bus
 *                  ({@code GURURMM_NODE_NAME}); empty means derived: {@code <host>:<port>} (stable
 *                  across restarts, so a restarted single node takes its leases back at once)
 * @param lease     how long a node's heartbeat and a job lease stay valid without renewal
 *                  ({@code GURURMM_CLUSTER_LEASE_SECONDS}, default 15): a dead node's jobs move and
 *                  its agents are marked offline this long after its last heartbeat
 * @param nodeUrl   where the other nodes reach this one to pass on work it serves (a shell, a file
 *                  transfer through an agent connected here): {@code GURURMM_NODE_URL}, e.g.
 *                  {@code http://10.0.0.5:8080}; empty means derived from the listening address
 *                  ({@link #effectiveNodeUrl})
 */
public record ClusterSettings(String nodeName, Duration lease, String nodeUrl) {
    public static final int MAX_NAME = 200;

    public static ClusterSettings fromMap(Map<String, String> env) {
        String name = env.getOrDefault("GURURMM_NODE_NAME", "").trim();
        if (name.length() > MAX_NAME || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ConfigException("GURURMM_NODE_NAME is '" + name + "'; use at most " + MAX_NAME
                    + " printable ASCII characters without spaces (e.g. gururmm-1), or unset it.");
        }
        String seconds = env.getOrDefault("GURURMM_CLUSTER_LEASE_SECONDS", "").trim();
        int lease = 15;
        if (!seconds.isEmpty()) {
            try {
                lease = Integer.parseInt(seconds);
            } catch (NumberFormatException e) {
                throw new ConfigException("GURURMM_CLUSTER_LEASE_SECONDS is '" + seconds
                        + "', which is not a whole number; set it to a number between 3 and 600.");
            }
            if (lease < 3 || lease > 600) {
                throw new ConfigException("GURURMM_CLUSTER_LEASE_SECONDS is " + lease + "; it must be between 3 and 600.");
            }
        }
        return new ClusterSettings(name, Duration.ofSeconds(lease), nodeUrl(env.getOrDefault("GURURMM_NODE_URL", "").trim()));
    }

    /** An absolute http(s) URL of a host and port only: the relay appends the request's own path. */
    private static String nodeUrl(String raw) {
        if (raw.isEmpty()) {
            return "";
        }
        String problem;
        try {
            java.net.URI uri = new java.net.URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                problem = "it must start with http:// or https://";
            } else if (uri.getHost() == null) {
                problem = "it names no host";
            } else if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
                problem = "it must be the scheme, host and port only (no path, query or user)";
            } else {
                return uri.toString();
            }
        } catch (java.net.URISyntaxException e) {
            problem = "it is not a URL (" + e.getReason() + ")";
        }
        throw new ConfigException("GURURMM_NODE_URL is '" + (raw.length() > 100 ? raw.substring(0, 100) + "..." : raw) + "': " + problem
                + ". Set it to where the other nodes reach this one, e.g. http://10.0.0.5:8080, or unset it.");
    }

    /**
     * The configured URL, else {@code <scheme>://<listening host>:<port>}; a wildcard listening
     * address (all interfaces) is replaced by the machine's host name.
     */
    public String effectiveNodeUrl(boolean tls, String httpHost, int port) {
        if (!nodeUrl.isEmpty()) {
            return nodeUrl;
        }
        String host = httpHost == null || httpHost.isBlank() || httpHost.equals("0.0.0.0") || httpHost.equals("::") || httpHost.equals("[::]")
                ? localHostName() : httpHost;
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (tls ? "https" : "http") + "://" + host + ":" + port;
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** The configured name, else {@code <host>:<port>}, else (port 0: chosen at start) the host and a random suffix. */
    public String effectiveNodeName(int configuredPort) {
        if (!nodeName.isEmpty()) {
            return nodeName;
        }
        String host = localHostName();
        String name = configuredPort != 0 ? host + ":" + configuredPort
                : host + "-" + Long.toHexString(new java.security.SecureRandom().nextLong() & 0xffffffL);
        return name.length() > MAX_NAME ? name.substring(name.length() - MAX_NAME) : name;
    }

    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("GURURMM_NODE_NAME", nodeName.isEmpty() ? "(derived: host:port)" : nodeName);
        out.put("GURURMM_CLUSTER_LEASE_SECONDS", Long.toString(lease.toSeconds()));
        out.put("GURURMM_NODE_URL", nodeUrl.isEmpty() ? "(derived: scheme://listening host:port)" : nodeUrl);
        return out;
    }
}
