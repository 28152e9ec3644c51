package com.gururmm.e2e;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the server has stored, cheaply comparable: for every table of its schema (found in the
 * database's metadata, so a table added by a later migration is watched without a change here)
 * the row count and an order-independent hash of the rows' contents (the sum of each row's
 * SHA-256 prefix), so an UPDATE is seen as well as an INSERT or DELETE. Columns the server
 * writes on its own while idle are left out ({@link #VOLATILE}), and so is {@code audit_log},
 * which a refusal may legitimately append to: {@link #auditSince} returns what was appended.
 */
final class DbSnapshot implements AutoCloseable {
    /** Written by background work or by merely authenticating, not by the request under test. */
    private static final Set<String> VOLATILE = Set.of("agents.last_seen", "api_keys.last_used_at", "api_keys.last_used_ip",
            "api_keys.last_used_address",
            // Cluster upkeep: the node's heartbeat and the renewal of the leases it holds.
            "nodes.heartbeat_at", "leases.expires_at", "leases.acquired_at");
    private static final Set<String> SKIPPED = Set.of("audit_log", "flyway_schema_history");

    /** One snapshot: table -> "count:hash", and the audit log's highest id. */
    record State(Map<String, String> tables, long auditMaxId) {
        /** Names of the tables whose contents differ, with both sides. */
        List<String> differences(State other) {
            List<String> out = new ArrayList<>();
            for (String table : tables.keySet()) {
                if (!tables.get(table).equals(other.tables.get(table))) {
                    out.add(table + " (" + tables.get(table) + " -> " + other.tables.get(table) + ")");
                }
            }
            return out;
        }
    }

    private final Connection connection;
    private final List<String> tables = new ArrayList<>();

    DbSnapshot(String jdbcUrl) throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl);
        DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet rs = meta.getTables(null, "public", "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (!SKIPPED.contains(name)) {
                    tables.add(name);
                }
            }
        }
        if (tables.size() < 20) {
            throw new IllegalStateException("only " + tables + " found in schema public: the snapshot would watch too little");
        }
    }

    State take() throws Exception {
        Map<String, String> out = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Statement s = connection.createStatement()) {
            for (String table : tables) {
                long count = 0;
                long sum = 0;
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        count++;
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            String column = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
                            if (!VOLATILE.contains(table + "." + column)) {
                                Object v = rs.getObject(i);
                                row.append(column).append('=').append(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : v).append('\u0001');
                            }
                        }
                        byte[] h = sha.digest(row.toString().getBytes(StandardCharsets.UTF_8));
                        sum += java.nio.ByteBuffer.wrap(h).getLong();
                    }
                }
                out.put(table, count + ":" + Long.toHexString(sum));
            }
            long maxId;
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM audit_log")) {
                rs.next();
                maxId = rs.getLong(1);
            }
            return new State(out, maxId);
        }
    }

    /** The actions of audit entries written after {@code state} was taken. */
    List<String> auditSince(State state) throws SQLException {
        List<String> actions = new ArrayList<>();
        try (var ps = connection.prepareStatement("SELECT action FROM audit_log WHERE id > ? ORDER BY id")) {
            ps.setLong(1, state.auditMaxId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    actions.add(rs.getString(1));
                }
            }
        }
        return actions;
    }

    /** An audit action that records a refusal rather than a change ({@code auth.login_failed}, {@code agent.enroll_refused}...). */
    static boolean isRefusal(String action) {
        return action.endsWith("_failed") || action.endsWith("_refused") || action.endsWith("_throttled");
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
