package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Issue 10: moves every existing agent into a site. Before, {@code agents.site} (and
 * {@code enrollment_tokens.site}) was a free string; each distinct string becomes a site of the
 * default client (compared case-insensitively, trimmed, named by the first spelling in sort
 * order; "default" is the default site itself),
 * and agents without one go to the default site. Written in Java because generating ids in SQL
 * differs between PostgreSQL and H2. Ends with {@code agents.site_id NOT NULL}.
 */
public class V36__agent_sites extends BaseJavaMigration {
    static final UUID DEFAULT_CLIENT = UUID.fromString("00000000-0000-0000-0000-00000000c001");
    static final UUID DEFAULT_SITE = UUID.fromString("00000000-0000-0000-0000-00000000a001");

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        java.util.TreeSet<String> seen = new java.util.TreeSet<>(); // sorted: which spelling names a site is deterministic
        for (String sql : new String[] {"SELECT DISTINCT site FROM agents WHERE site IS NOT NULL",
                "SELECT DISTINCT site FROM enrollment_tokens WHERE site IS NOT NULL"}) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    String name = clean(rs.getString(1));
                    if (name != null) {
                        seen.add(name);
                    }
                }
            }
        }
        Map<String, String> names = new LinkedHashMap<>(); // name_key -> the first spelling in sort order
        seen.forEach(name -> names.putIfAbsent(name.toLowerCase(Locale.ROOT), name));
        Map<String, UUID> siteByKey = new LinkedHashMap<>();
        siteByKey.put("default", DEFAULT_SITE);
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO sites (id, client_id, name, name_key, created_at) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
            for (Map.Entry<String, String> e : names.entrySet()) {
                if (siteByKey.containsKey(e.getKey())) {
                    continue;
                }
                UUID id = UUID.randomUUID();
                insert.setObject(1, id);
                insert.setObject(2, DEFAULT_CLIENT);
                insert.setString(3, e.getValue());
                insert.setString(4, e.getKey());
                insert.executeUpdate();
                siteByKey.put(e.getKey(), id);
            }
        }
        // Every agent and token: site_id from its string; agents with none go to the default site.
        for (String table : new String[] {"agents", "enrollment_tokens"}) {
            Map<UUID, UUID> assign = new LinkedHashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, site FROM " + table)) {
                while (rs.next()) {
                    String name = clean(rs.getString(2));
                    UUID site = name == null ? (table.equals("agents") ? DEFAULT_SITE : null) : siteByKey.get(name.toLowerCase(Locale.ROOT));
                    if (site != null) {
                        assign.put(rs.getObject(1, UUID.class), site);
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE " + table
                    + " SET site_id = ?, site = (SELECT name FROM sites WHERE id = ?) WHERE id = ?")) {
                for (Map.Entry<UUID, UUID> e : assign.entrySet()) {
                    update.setObject(1, e.getValue());
                    update.setObject(2, e.getValue());
                    update.setObject(3, e.getKey());
                    update.addBatch();
                }
                if (!assign.isEmpty()) {
                    update.executeBatch();
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE agents ALTER COLUMN site_id SET NOT NULL");
        }
    }

    /** Trimmed, clipped to the column, unsafe control characters dropped; null when nothing is left. */
    private static String clean(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        raw.trim().codePoints().filter(cp -> cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)).forEach(out::appendCodePoint);
        String name = out.toString().trim();
        if (name.length() > 200) {
            name = name.substring(0, 200).trim();
        }
        return name.isEmpty() ? null : name;
    }
}
