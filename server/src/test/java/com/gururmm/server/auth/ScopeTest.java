package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The scope's SQL helpers and the rule that admins are global whatever is stored. */
class ScopeTest {
    private static final UUID SITE = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final UUID CLIENT = UUID.fromString("00000000-0000-0000-0000-0000000000c1");

    @Test
    void sqlIsAllNothingOrTheResolvedIds() {
        assertThat(Scope.ALL.sitesSql("a.site_id")).isEqualTo("1=1");
        assertThat(Scope.NONE.sitesSql("a.site_id")).isEqualTo("1=0");
        assertThat(Scope.NONE.agentsSql("m.agent_id")).isEqualTo("1=0");
        Scope one = new Scope(false, Set.of(SITE), Set.of(CLIENT));
        assertThat(one.sitesSql("a.site_id")).isEqualTo("a.site_id IN ('" + SITE + "')");
        assertThat(one.clientsSql("c.id")).isEqualTo("c.id IN ('" + CLIENT + "')");
        assertThat(one.agentsSql("m.agent_id")).isEqualTo("m.agent_id IN (SELECT scope_a.id FROM agents scope_a WHERE scope_a.site_id IN ('" + SITE + "'))");
        assertThat(one.allowsSite(SITE)).isTrue();
        assertThat(one.allowsSite(UUID.randomUUID())).isFalse();
        assertThat(one.allowsSite(null)).isFalse();
        assertThat(one.allowsClient(CLIENT)).isTrue();
        assertThat(Scope.ALL.intersect(one)).isEqualTo(one);
        assertThat(one.intersect(Scope.NONE).siteIds()).isEmpty();
        assertThat(one.intersect(new Scope(false, Set.of(SITE, UUID.randomUUID()), Set.of())).siteIds()).containsExactly(SITE);
    }

    @Test
    void adminsAreGlobalAndOthersDefaultToNothing() {
        assertThat(new Principal(UUID.randomUUID(), "a", Role.ADMIN, Scope.NONE).scope()).isEqualTo(Scope.ALL);
        assertThat(new Principal(UUID.randomUUID(), "t", Role.TECHNICIAN).scope()).isEqualTo(Scope.NONE);
    }
}
