package com.gururmm.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Tables as portable JSON rows, the same on H2 and PostgreSQL, so a backup of one restores into
 * the other: timestamps as ISO-8601 with offset, UUIDs as text, binary as base64. Which tables,
 * in which order (parents before children, by the database's own foreign keys), and how a value
 * read from one database is written into the other are decided from JDBC metadata, so a new
 * table or column needs no change here.
 */
final class TableData {
    /** Liveness, not state: a restored server must not believe the old cluster's nodes or leases exist. */
    private static final Set<String> SKIPPED = Set.of("flyway_schema_history", "nodes", "leases");

    private TableData() {
    }

    /** The application's tables, parents before the tables that reference them. */
    static List<String> tablesInDependencyOrder(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        String schema = c.getSchema();
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (!SKIPPED.contains(name)) {
                    tables.add(name);
                }
            }
        }
        tables.sort(null);
        Map<String, Set<String>> parents = new HashMap<>();
        for (String table : tables) {
            Set<String> p = new LinkedHashSet<>();
            try (ResultSet rs = meta.getImportedKeys(null, schema, metaName(meta, table))) {
                while (rs.next()) {
                    String parent = rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!parent.equals(table) && tables.contains(parent)) {
                        p.add(parent);
                    }
                }
            }
            parents.put(table, p);
        }
        List<String> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (ordered.size() < tables.size()) {
            boolean progress = false;
            for (String table : tables) {
                if (!placed.contains(table) && placed.containsAll(parents.get(table))) {
                    ordered.add(table);
                    placed.add(table);
                    progress = true;
                }
            }
            if (!progress) {
                throw new SQLException("the foreign keys between tables form a cycle; cannot order " + tables);
            }
        }
        return ordered;
    }

    /** H2 keeps unquoted names upper case unless DATABASE_TO_LOWER; PostgreSQL lower case. */
    private static String metaName(DatabaseMetaData meta, String table) throws SQLException {
        return meta.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table;
    }

    /** One row of {@code rs} as JSON. */
    static ObjectNode row(ResultSet rs, ResultSetMetaData md) throws SQLException {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String column = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
            String typeName = md.getColumnTypeName(i).toLowerCase(Locale.ROOT);
            int type = md.getColumnType(i);
            Object value = rs.getObject(i);
            if (value == null) {
                row.putNull(column);
            } else if (typeName.equals("uuid")) {
                row.put(column, value.toString());
            } else if (type == Types.TIMESTAMP_WITH_TIMEZONE || typeName.equals("timestamptz")) {
                row.put(column, rs.getObject(i, OffsetDateTime.class).toString());
            } else if (type == Types.TIMESTAMP) {
                row.put(column, rs.getObject(i, LocalDateTime.class).toString());
            } else if (type == Types.DATE) {
                row.put(column, rs.getObject(i, LocalDate.class).toString());
            } else if (type == Types.BOOLEAN || type == Types.BIT) {
                row.put(column, rs.getBoolean(i));
            } else if (type == Types.BIGINT || type == Types.INTEGER || type == Types.SMALLINT || type == Types.TINYINT) {
                row.put(column, rs.getLong(i));
            } else if (type == Types.DOUBLE || type == Types.FLOAT || type == Types.REAL) {
                row.put(column, rs.getDouble(i));
            } else if (type == Types.NUMERIC || type == Types.DECIMAL) {
                row.put(column, rs.getBigDecimal(i));
            } else if (type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY || type == Types.BLOB) {
                row.put(column, Base64.getEncoder().encodeToString(rs.getBytes(i)));
            } else {
                row.put(column, rs.getString(i));
            }
        }
        return row;
    }

    /** Inserts rows into one table of the target database, converting each value to the column's type there. */
    static final class Inserter implements AutoCloseable {
        private final PreparedStatement insert;
        private final List<String> columns;
        private final List<Integer> types = new ArrayList<>();
        private final List<String> typeNames = new ArrayList<>();
        private int pending;

        Inserter(Connection c, String table, List<String> columns) throws SQLException {
            this.columns = columns;
            Map<String, Integer> jdbcTypes = new HashMap<>();
            Map<String, String> names = new HashMap<>();
            DatabaseMetaData meta = c.getMetaData();
            try (ResultSet rs = meta.getColumns(null, c.getSchema(), metaName(meta, table), "%")) {
                while (rs.next()) {
                    String column = rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
                    jdbcTypes.put(column, rs.getInt("DATA_TYPE"));
                    names.put(column, rs.getString("TYPE_NAME").toLowerCase(Locale.ROOT));
                }
            }
            for (String column : columns) {
                if (!jdbcTypes.containsKey(column)) {
                    throw new SQLException("the backup's table " + table + " has a column " + column + " this database does not");
                }
                types.add(jdbcTypes.get(column));
                typeNames.add(names.get(column));
            }
            insert = c.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", columns.stream().map(x -> "?").toList()) + ")");
        }

        /** Adds one row; a value that does not fit its column throws IllegalArgumentException naming the column. */
        void add(JsonNode row) throws SQLException {
            if (!row.isObject()) {
                throw new IllegalArgumentException("a row must be a JSON object");
            }
            for (int i = 0; i < columns.size(); i++) {
                JsonNode value = row.get(columns.get(i));
                if (value == null || value.isNull()) {
                    insert.setNull(i + 1, types.get(i));
                } else {
                    try {
                        insert.setObject(i + 1, convert(value, types.get(i), typeNames.get(i)));
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("column " + columns.get(i) + ": " + e.getMessage(), e);
                    }
                }
            }
            insert.addBatch();
            if (++pending >= 500) {
                flush();
            }
        }

        /** The JSON value as the column's Java type; a value of the wrong JSON type is refused, never coerced. */
        private static Object convert(JsonNode value, int type, String typeName) {
            if (typeName.equals("uuid")) {
                return UUID.fromString(text(value, "a UUID"));
            }
            return switch (type) {
                case Types.TIMESTAMP_WITH_TIMEZONE -> OffsetDateTime.parse(text(value, "a timestamp"));
                case Types.TIMESTAMP -> typeName.contains("tz") ? OffsetDateTime.parse(text(value, "a timestamp"))
                        : LocalDateTime.parse(text(value, "a timestamp"));
                case Types.DATE -> LocalDate.parse(text(value, "a date"));
                case Types.BOOLEAN, Types.BIT -> {
                    if (!value.isBoolean()) {
                        throw new IllegalArgumentException("expected true or false, got " + kind(value));
                    }
                    yield value.booleanValue();
                }
                case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> {
                    if (!value.isIntegralNumber() || !value.canConvertToLong() || (type != Types.BIGINT && !value.canConvertToInt())) {
                        throw new IllegalArgumentException("expected a whole number in range, got " + kind(value));
                    }
                    yield type == Types.BIGINT ? (Object) value.longValue() : (Object) value.intValue();
                }
                case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.NUMERIC, Types.DECIMAL -> {
                    if (!value.isNumber()) {
                        throw new IllegalArgumentException("expected a number, got " + kind(value));
                    }
                    yield type == Types.NUMERIC || type == Types.DECIMAL ? value.decimalValue() : value.doubleValue();
                }
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> Base64.getDecoder().decode(text(value, "base64"));
                default -> text(value, "text");
            };
        }

        private static String text(JsonNode value, String what) {
            if (!value.isTextual()) {
                throw new IllegalArgumentException("expected " + what + " as a JSON string, got " + kind(value));
            }
            return value.textValue();
        }

        private static String kind(JsonNode value) {
            return value.getNodeType().name().toLowerCase(Locale.ROOT);
        }

        void flush() throws SQLException {
            if (pending > 0) {
                insert.executeBatch();
                pending = 0;
            }
        }

        @Override
        public void close() throws SQLException {
            flush();
            insert.close();
        }
    }
}
