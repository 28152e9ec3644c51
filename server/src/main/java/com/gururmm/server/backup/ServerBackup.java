package com.gururmm.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.gururmm.protocol.Json;
import com.gururmm.server.config.ConfigException;
import com.gururmm.server.config.DataDirectory;
import com.gururmm.server.config.ServerConfig;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;

/**
 * {@code gururmm-server backup FILE} and {@code gururmm-server restore FILE} (docs/OPERATIONS.md,
 * "Backup and restore"). A backup is one zip, private to the server's user (it holds the keys):
 * <ul>
 *   <li>{@code manifest.json}: format, time, server and schema version, row counts, what else is inside;</li>
 *   <li>{@code db/<table>.jsonl}: every table's rows as portable JSON ({@link TableData}), read in one
 *       read-only snapshot transaction, so the backup is consistent while the server runs;</li>
 *   <li>{@code keys/}: the session-token key, the MFA sealing key, the release signing key and a
 *       self-signed TLS certificate, from wherever the settings put them;</li>
 *   <li>{@code downloads/}: the builds, their sidecars and the {@code latest} links
 *       ({@code --without-downloads}: the sidecars and links only).</li>
 * </ul>
 * The embedded database is held open by a running server, so its file is copied first and the
 * copy is read: with {@code WRITE_DELAY=0} and an append-only file (ServerConfig#writeThrough)
 * the copy is what a kill -9 at that instant would leave, which H2 opens at its last commit.
 * Restore goes into a fresh data dir and an empty database: it migrates the schema to the
 * backup's version, loads the rows, and the server's next start migrates the rest.
 */
public final class ServerBackup {
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = Json.mapper();
    /** H2's "database already in use" (the running server holds the file). */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;

    /** What a backup or restore did, for the command's summary line. */
    public record Summary(int tables, long rows, int keys, int downloads, String schemaVersion) {
    }

    private ServerBackup() {
    }

    // ---- backup ---------------------------------------------------------------------------

    public static Summary backup(ServerConfig config, Path target, boolean withDownloads) throws IOException, SQLException {
        Path absolute = target.toAbsolutePath().normalize();
        Files.createDirectories(absolute.getParent());
        Path tmp = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        Files.deleteIfExists(tmp);
        DataDirectory.createPrivateFile(tmp);
        Path copyDir = null;
        try {
            String url = config.databaseUrl();
            Connection c;
            try {
                c = connect(url, config);
            } catch (SQLException e) {
                if (e.getErrorCode() != H2_DATABASE_ALREADY_OPEN || !config.embeddedDatabase()) {
                    throw e;
                }
                copyDir = Files.createTempDirectory(absolute.getParent(), ".gururmm-backup-db-");
                url = copyEmbedded(url, copyDir);
                c = connect(url, config);
            }
            Summary summary;
            try (Connection db = c; OutputStream file = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(file)) {
                summary = write(config, db, zip, withDownloads);
            }
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            DataDirectory.makeFilePrivate(absolute);
            return summary;
        } finally {
            Files.deleteIfExists(tmp);
            if (copyDir != null) {
                deleteTree(copyDir);
            }
        }
    }

    private static Summary write(ServerConfig config, Connection c, ZipOutputStream zip, boolean withDownloads) throws IOException, SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("created_at", Instant.now().toString());
        manifest.put("server_version", version());
        manifest.put("database", c.getMetaData().getDatabaseProductName());
        String schema = schemaVersion(c);
        manifest.put("schema_version", schema);
        ObjectNode tables = manifest.putObject("tables");
        long rows = 0;
        List<String> order = TableData.tablesInDependencyOrder(c);
        for (String table : order) {
            zip.putNextEntry(new ZipEntry("db/" + table + ".jsonl"));
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(zip, StandardCharsets.UTF_8));
            long count = 0;
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        out.write(JSON.writeValueAsString(TableData.row(rs, md)));
                        out.write('\n');
                        count++;
                    }
                }
            }
            out.flush();
            zip.closeEntry();
            tables.put(table, count);
            rows += count;
        }
        c.commit();
        ArrayNode keys = manifest.putArray("keys");
        for (Map.Entry<String, Path> key : keyFiles(config).entrySet()) {
            if (Files.isRegularFile(key.getValue())) {
                zip.putNextEntry(new ZipEntry("keys/" + key.getKey()));
                Files.copy(key.getValue(), zip);
                zip.closeEntry();
                keys.add(key.getKey());
            }
        }
        ArrayNode downloads = manifest.putArray("downloads");
        ObjectNode links = manifest.putObject("links");
        Path dir = config.downloadsDir();
        if (Files.isDirectory(dir)) {
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(entries::add);
            }
            entries.sort(null);
            for (Path path : entries) {
                String name = path.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // uploads in progress
                }
                if (Files.isSymbolicLink(path)) {
                    links.put(name, Files.readSymbolicLink(path).toString());
                } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && (withDownloads || isSidecar(name))) {
                    zip.putNextEntry(new ZipEntry("downloads/" + name));
                    Files.copy(path, zip);
                    zip.closeEntry();
                    downloads.add(name);
                }
            }
        }
        manifest.put("with_downloads", withDownloads);
        zip.putNextEntry(new ZipEntry("manifest.json"));
        zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        zip.closeEntry();
        return new Summary(order.size(), rows, keys.size(), downloads.size(), schema);
    }

    /** Copies the embedded database's file (a running server holds it) and returns the URL of the copy. */
    private static String copyEmbedded(String url, Path dir) throws IOException {
        String rest = url.substring("jdbc:h2:file:".length());
        int semicolon = rest.indexOf(';');
        String base = semicolon < 0 ? rest : rest.substring(0, semicolon);
        String options = semicolon < 0 ? "" : rest.substring(semicolon);
        Path file = Path.of(base + ".mv.db");
        Path copy = dir.resolve("snapshot.mv.db");
        Files.copy(file, copy);
        DataDirectory.makeFilePrivate(copy);
        return "jdbc:h2:file:" + dir.resolve("snapshot") + options;
    }

    // ---- restore --------------------------------------------------------------------------

    public static Summary restore(ServerConfig config, Path archive) throws IOException, SQLException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry manifestEntry = zip.getEntry("manifest.json");
            if (manifestEntry == null) {
                throw new ConfigException(archive + " is not a GuruRMM backup (it has no manifest.json)");
            }
            JsonNode manifest;
            try (InputStream in = zip.getInputStream(manifestEntry)) {
                manifest = JSON.readTree(in);
            }
            if (manifest.path("format").asInt() != FORMAT) {
                throw new ConfigException(archive + " is a backup of format " + manifest.path("format") + "; this server restores format " + FORMAT);
            }
            Map<String, Path> keyTargets = keyFiles(config);
            // Everything the manifest names must be in the archive before anything is written.
            String schema = manifest.path("schema_version").asText("");
            try {
                MigrationVersion.fromVersion(schema);
            } catch (RuntimeException e) {
                throw new ConfigException(archive + " names no usable schema_version ('" + schema + "'): it is not a complete backup");
            }
            if (schema.isEmpty()) {
                throw new ConfigException(archive + " names no schema_version: it is not a complete backup");
            }
            for (JsonNode key : manifest.path("keys")) {
                if (!keyTargets.containsKey(key.asText())) {
                    throw new ConfigException(archive + " holds an unknown key '" + key.asText() + "'");
                }
                require(zip, "keys/" + key.asText(), archive);
                Path target = keyTargets.get(key.asText());
                // A key already there from an earlier, interrupted restore of this same backup is fine.
                if (Files.exists(target) && !sameContent(target, zip, "keys/" + key.asText())) {
                    throw new ConfigException(target + " already exists: restore goes into a fresh data dir (and an empty database),"
                            + " so nothing of a running server is overwritten. Point GURURMM_DATA_DIR at an empty directory.");
                }
            }
            for (JsonNode name : manifest.path("downloads")) {
                require(zip, "downloads/" + safeName(name.asText()), archive);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = manifest.path("links").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> link = it.next();
                safeName(link.getKey());
                safeName(link.getValue().asText());
            }
            for (Iterator<String> it = manifest.path("tables").fieldNames(); it.hasNext(); ) {
                String table = it.next();
                if (!table.matches("[a-z][a-z0-9_]{0,62}")) {
                    throw new ConfigException(archive + " names a table '" + table + "', which is not a table name");
                }
                require(zip, "db/" + table + ".jsonl", archive);
            }
            DataDirectory.prepare(config.dataDir(), config.downloadsDir());
            Flyway flyway = Flyway.configure().dataSource(config.databaseUrl(), config.databaseUser(), config.databasePassword())
                    .locations("classpath:db/migration").target(MigrationVersion.fromVersion(schema)).load();
            var current = flyway.info().current();
            if (current != null && current.getVersion().compareTo(MigrationVersion.fromVersion(schema)) > 0) {
                throw new ConfigException("the database is at schema version " + current.getVersion() + ", newer than the backup's " + schema
                        + ": restore into an empty database.");
            }
            flyway.migrate();
            long rows = 0;
            int tables = 0;
            try (Connection c = connect(config.databaseUrl(), config)) {
                c.setAutoCommit(false);
                List<String> order = TableData.tablesInDependencyOrder(c);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM users")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new ConfigException("the database already has users: restore goes into an empty database (a new"
                                + " PostgreSQL database, or a data dir without an embedded one).");
                    }
                }
                // Rows the migrations seeded are replaced by the backup's.
                try (Statement s = c.createStatement()) {
                    for (int i = order.size() - 1; i >= 0; i--) {
                        s.executeUpdate("DELETE FROM " + order.get(i));
                    }
                }
                try {
                    for (String table : order) {
                        ZipEntry entry = zip.getEntry("db/" + table + ".jsonl");
                        if (entry == null) {
                            continue; // a table newer than the backup's schema: it stays empty
                        }
                        rows += load(c, table, zip.getInputStream(entry));
                        tables++;
                    }
                    resetIdentities(c, order);
                    c.commit();
                } catch (SQLException | IOException | RuntimeException e) {
                    c.rollback(); // nothing of a half-read archive stays; the restore can be run again
                    throw e;
                }
            }
            int keys = 0;
            for (JsonNode key : manifest.path("keys")) {
                Path target = keyTargets.get(key.asText());
                if (target == null) {
                    continue;
                }
                Files.createDirectories(target.toAbsolutePath().getParent());
                // Written into a file that is 0600 from its creation, then moved into place.
                Path tmp = target.resolveSibling("." + target.getFileName() + ".restoring");
                Files.deleteIfExists(tmp);
                DataDirectory.createPrivateFile(tmp);
                try (InputStream in = zip.getInputStream(zip.getEntry("keys/" + key.asText()));
                     OutputStream out = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                             java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.CREATE)) {
                    in.transferTo(out);
                }
                DataDirectory.makeFilePrivate(tmp);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                keys++;
            }
            Path downloads = config.downloadsDir();
            Files.createDirectories(downloads);
            int files = 0;
            for (JsonNode name : manifest.path("downloads")) {
                String file = safeName(name.asText());
                try (InputStream in = zip.getInputStream(zip.getEntry("downloads/" + file))) {
                    Files.copy(in, downloads.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
                files++;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = manifest.path("links").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> link = it.next();
                Path path = downloads.resolve(safeName(link.getKey()));
                Files.deleteIfExists(path);
                Files.createSymbolicLink(path, Path.of(safeName(link.getValue().asText())));
            }
            return new Summary(tables, rows, keys, files, schema);
        }
    }

    private static long load(Connection c, String table, InputStream in) throws IOException, SQLException {
        long count = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            TableData.Inserter inserter = null;
            try {
                for (String line; (line = reader.readLine()) != null; ) {
                    JsonNode row;
                    try {
                        row = JSON.readTree(line);
                    } catch (IOException e) {
                        throw new ConfigException("the backup's table " + table + ", row " + (count + 1) + " is not JSON; nothing was restored");
                    }
                    if (row == null || !row.isObject()) {
                        throw new ConfigException("the backup's table " + table + ", row " + (count + 1) + " is not a JSON object;"
                                + " nothing was restored");
                    }
                    if (inserter == null) {
                        List<String> columns = new ArrayList<>();
                        row.fieldNames().forEachRemaining(columns::add);
                        inserter = new TableData.Inserter(c, table, columns);
                    }
                    try {
                        inserter.add(row);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("the backup's table " + table + ", row " + (count + 1) + ": " + e.getMessage()
                                + "; nothing was restored");
                    }
                    count++;
                }
            } finally {
                if (inserter != null) {
                    inserter.close();
                }
            }
        }
        return count;
    }

    /** Identity columns continue after the highest restored value. */
    private static void resetIdentities(Connection c, List<String> tables) throws SQLException {
        boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        var meta = c.getMetaData();
        for (String table : tables) {
            List<String> identity = new ArrayList<>();
            try (ResultSet rs = meta.getColumns(null, c.getSchema(), meta.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table, "%")) {
                while (rs.next()) {
                    if ("YES".equalsIgnoreCase(rs.getString("IS_AUTOINCREMENT"))) {
                        identity.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                    }
                }
            }
            for (String column : identity) {
                long next;
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " + table)) {
                    rs.next();
                    next = rs.getLong(1);
                }
                try (Statement s = c.createStatement()) {
                    if (postgres) {
                        s.execute("SELECT setval(pg_get_serial_sequence('" + table + "', '" + column + "'), " + next + ", false)");
                    } else {
                        s.execute("ALTER TABLE " + table + " ALTER COLUMN " + column + " RESTART WITH " + next);
                    }
                }
            }
        }
    }

    // ---- shared ---------------------------------------------------------------------------

    private static void require(ZipFile zip, String entry, Path archive) {
        if (zip.getEntry(entry) == null) {
            throw new ConfigException(archive + " lists " + entry + " in its manifest but does not hold it: it is damaged or"
                    + " incomplete; nothing was restored");
        }
    }

    private static boolean sameContent(Path file, ZipFile zip, String entry) throws IOException {
        try (InputStream in = zip.getInputStream(zip.getEntry(entry))) {
            return java.util.Arrays.equals(Files.readAllBytes(file), in.readAllBytes());
        }
    }

    /** Where each key lives under these settings: the name in the backup → the file. */
    private static Map<String, Path> keyFiles(ServerConfig config) {
        Map<String, Path> keys = new LinkedHashMap<>();
        keys.put("jwt-signing.key", config.jwtKeyPath());
        keys.put("mfa-secret.key", config.mfaKeyPath());
        Path release = config.releaseSigningKeyFile().isEmpty() ? config.dataDir().resolve("release-signing.key")
                : Path.of(config.releaseSigningKeyFile()).toAbsolutePath().normalize();
        keys.put("release-signing.key", release);
        keys.put("release-signing.key.pub", release.resolveSibling(release.getFileName() + ".pub"));
        keys.put("tls-selfsigned.pem", config.dataDir().resolve("tls-selfsigned.pem"));
        return keys;
    }

    private static Connection connect(String url, ServerConfig config) throws SQLException {
        return DriverManager.getConnection(url, config.databaseUser().isEmpty() ? null : config.databaseUser(),
                config.databasePassword().isEmpty() ? null : config.databasePassword());
    }

    private static String schemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL"
                     + " ORDER BY installed_rank DESC")) {
            if (!rs.next()) {
                throw new SQLException("the database has no schema yet (flyway_schema_history is empty)");
            }
            return rs.getString(1);
        }
    }

    private static boolean isSidecar(String name) {
        return name.endsWith(".sha256") || name.endsWith(".channel") || name.endsWith(".sig");
    }

    /** A downloads name from the manifest: a plain file name, never a path out of the directory. */
    private static String safeName(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".") || name.contains("\0")) {
            throw new ConfigException("the backup names a download '" + name + "', which is not a plain file name");
        }
        return name;
    }

    private static String version() {
        String v = ServerBackup.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
