package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.gururmm.cli.agents.AgentResolver;
import com.gururmm.protocol.api.Agents.AgentSummary;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentResolverTest {
    private static final AgentSummary WEB = agent("3f2a9c4e-1b2d-4c5e-8f90-123456789abc", "web01");
    private static final AgentSummary DB = agent("3f2a9c11-1b2d-4c5e-8f90-123456789abc", "db01");
    private static final AgentSummary MAIL = agent("7b0000aa-1b2d-4c5e-8f90-123456789abc", "mail01");
    /** Named like MAIL's id prefix, to catch a command meant for MAIL. */
    private static final AgentSummary ROGUE = agent("aaaa0000-1b2d-4c5e-8f90-123456789abc", "7b0000");
    /** Named with WEB's full id. */
    private static final AgentSummary IMPOSTOR = agent("bbbb0000-1b2d-4c5e-8f90-123456789abc", WEB.id().toString());
    /** A short hex hostname, while another agent's id starts with the same digits. */
    private static final AgentSummary CAFE = agent("dddd0000-1b2d-4c5e-8f90-123456789abc", "cafe");
    private static final AgentSummary CAFE_ID = agent("cafe0000-1b2d-4c5e-8f90-123456789abc", "other");
    private static final AgentSummary TWIN_A = agent("eeee0000-1b2d-4c5e-8f90-123456789abc", "twin\u001b]0;pwned\u0007\u202e");
    private static final AgentSummary TWIN_B = agent("ffff0000-1b2d-4c5e-8f90-123456789abc", "TWIN\u001b]0;pwned\u0007\u202e");
    private static final AgentResolver resolver = new AgentResolver(List.of(WEB, DB, MAIL, ROGUE, IMPOSTOR, CAFE, CAFE_ID, TWIN_A, TWIN_B));

    private static AgentSummary agent(String id, String hostname) {
        return new AgentSummary(UUID.fromString(id), hostname, "linux", "amd64", "0.1.0", "stable", "online", null, "m-" + hostname, null, false);
    }

    private static CliException refused(String reference) {
        CliException e = catchThrowableOfType(CliException.class, () -> resolver.resolve(reference));
        assertThat(e).as("'%s' must be refused", reference).isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        return e;
    }

    @Test
    void findsByHostnameIgnoringCase() {
        assertThat(resolver.resolve("WEB01")).isEqualTo(WEB);
        assertThat(resolver.resolve(" mail01 ")).isEqualTo(MAIL);
    }

    @Test
    void findsByFullIdAndUniquePrefixOfAtLeastSixCharacters() {
        assertThat(resolver.resolve(DB.id().toString())).isEqualTo(DB);
        assertThat(resolver.resolve("3f2a9c1")).isEqualTo(DB);
        assertThat(resolver.resolve("3F2A9C4")).isEqualTo(WEB);
        assertThat(resolver.resolve("3f2a9c4e-1b")).isEqualTo(WEB);
    }

    @Test
    void aFullIdAlwaysWinsEvenOverAHostnameThatSpellsIt() {
        assertThat(resolver.resolve(WEB.id().toString())).isEqualTo(WEB);
        assertThat(resolver.resolve(WEB.id().toString().toUpperCase(Locale.ROOT))).isEqualTo(WEB);
        assertThat(refused(UUID.randomUUID().toString()).getMessage()).startsWith("No agent with id ");
    }

    @Test
    void aHostnameNamedLikeAnotherAgentsIdPrefixNeverShadowsIt() {
        CliException e = refused("7b0000");
        assertThat(e.getMessage()).contains("'7b0000' is ambiguous: 2 agents match",
                MAIL.id() + " (mail01, online, by id prefix)", ROGUE.id() + " (7b0000, online, by hostname)", "Use the full id.");
        assertThat(resolver.resolve("7b0000a")).as("a longer prefix is no hostname").isEqualTo(MAIL);
        assertThat(resolver.resolve(MAIL.id().toString())).isEqualTo(MAIL);
    }

    @Test
    void shortPrefixesAreNotIdsSoShortHexHostnamesStillWork() {
        assertThat(resolver.resolve("cafe")).as("'cafe' is too short to be an id prefix").isEqualTo(CAFE);
        assertThat(refused("3f2a").getMessage())
                .isEqualTo("No agent matches '3f2a' by id, id prefix or hostname; an id prefix needs at least 6 characters.");
    }

    @Test
    void ambiguousPrefixListsEveryCandidate() {
        assertThat(refused("3f2a9c").getMessage()).contains("ambiguous", WEB.id() + " (web01, online, by id prefix)",
                DB.id() + " (db01, online, by id prefix)");
    }

    @Test
    void ambiguousHostnameListsTheCandidatesWithTheirHostnamesEscaped() {
        String message = refused("twin\u001b]0;pwned\u0007\u202e").getMessage();
        assertThat(message).contains("is ambiguous: 2 agents match",
                TWIN_A.id() + " (twin\\x1b]0;pwned\\x07\\u202e, online, by hostname)",
                TWIN_B.id() + " (TWIN\\x1b]0;pwned\\x07\\u202e, online, by hostname)");
        assertThat(message).doesNotContain("\u001b", "\u0007", "\u202e");
    }

    @Test
    void unknownNameIsAUsageError() {
        assertThat(refused("mail02").getMessage())
                .isEqualTo("No agent matches 'mail02' by id, id prefix or hostname; 'gururmm agents list' shows them.");
        assertThat(refused(" ").getMessage()).contains("empty agent name");
    }

    @Test
    void fullIdIsRecognisedOnlyWhenComplete() {
        assertThat(AgentResolver.parseFullId(WEB.id().toString())).isEqualTo(WEB.id());
        assertThat(AgentResolver.parseFullId("3f2a9c4e")).isNull();
        assertThat(AgentResolver.parseFullId("web01")).isNull();
    }
}
