package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.server.db.Database;
import com.gururmm.testkit.TestDatabase;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Upgrading a server from before tenancy (schema V7): every distinct {@code agents.site} string
 * becomes a site of the default client (case-insensitively, so "branch-7" and " Branch-7 " are one
 * site, named "Branch-7"), agents without one go to the default site, and enrollment tokens naming a site are
 * bound to it. On the real migrations, H2 and PostgreSQL.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class TenancyMigrationTest {
    private static final UUID DEFAULT_CLIENT = UUID.fromString("00000000-0000-0000-0000-00000000c001");
    private static final UUID DEFAULT_SITE = UUID.fromString("00000000-0000-0000-0000-00000000a001");

    @Parameter
    TestDatabase.Kind kind;

    @Test
    void existingSiteStringsBecomeSitesOfTheDefaultClient() {
        try (TestDatabase testDb = TestDatabase.create(kind)) {
            Flyway.configure().dataSource(testDb.jdbcUrl(), null, null).locations("classpath:db/migration").target("7").load().migrate();
            Jdbi before = Jdbi.create(testDb.jdbcUrl());
            UUID a1 = agent(before, "branch-7");
            UUID a2 = agent(before, " Branch-7 ");
            UUID a3 = agent(before, null);
            UUID a4 = agent(before, "Warehouse");
            UUID a5 = agent(before, "default");
            UUID token = UUID.randomUUID();
            before.useHandle(h -> h.createUpdate("""
                            INSERT INTO enrollment_tokens (id, token_hash, site, created_by, created_at, uses)
                            VALUES (:id, :hash, 'warehouse', 'admin', :now, 0)""")
                    .bind("id", token).bind("hash", "h" + token).bind("now", OffsetDateTime.now()).execute());

            Database db = Database.open(testDb.jdbcUrl(), "", "");
            try {
                Jdbi after = db.jdbi();
                Map<UUID, UUID> siteOf = new java.util.HashMap<>();
                after.useHandle(h -> h.createQuery("SELECT id, site_id FROM agents")
                        .map((rs, c) -> siteOf.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).list());
                assertThat(siteOf.get(a1)).isEqualTo(siteOf.get(a2)).isNotEqualTo(DEFAULT_SITE).isNotNull();
                assertThat(siteOf.get(a3)).isEqualTo(DEFAULT_SITE);
                assertThat(siteOf.get(a5)).isEqualTo(DEFAULT_SITE);
                assertThat(siteOf.get(a4)).isNotIn(DEFAULT_SITE, siteOf.get(a1));
                List<String> names = after.withHandle(h -> h.createQuery("SELECT name FROM sites WHERE client_id = :c ORDER BY name_key")
                        .bind("c", DEFAULT_CLIENT).mapTo(String.class).list());
                assertThat(names).containsExactly("Branch-7", "Default", "Warehouse");
                // The string column now carries the site's name, as the API's "site" field does.
                String siteName = after.withHandle(h -> h.createQuery("SELECT site FROM agents WHERE id = :id").bind("id", a2)
                        .mapTo(String.class).one());
                assertThat(siteName).isEqualTo("Branch-7");
                UUID tokenSite = after.withHandle(h -> h.createQuery("SELECT site_id FROM enrollment_tokens WHERE id = :id").bind("id", token)
                        .mapTo(UUID.class).one());
                assertThat(tokenSite).isEqualTo(siteOf.get(a4));
                // site_id is required from now on.
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> after.useHandle(h -> h.createUpdate(
                        "UPDATE agents SET site_id = NULL WHERE id = :id").bind("id", a1).execute())).isNotNull();
            } finally {
                db.close();
            }
        }
    }

    private static UUID agent(Jdbi jdbi, String site) {
        UUID id = UUID.randomUUID();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO agents (id, machine_uid, device_id, token_hash, hostname, os, arch, version, channel, site, enrolled_at)
                        VALUES (:id, :uid, 'd', 'hash', 'host', 'linux', 'amd64', '0.1.0', 'stable', :site, :now)""")
                .bind("id", id).bind("uid", "m-" + id).bind("site", site).bind("now", OffsetDateTime.now()).execute());
        return id;
    }
}
