package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.cli.agents.AgentResolver;
import com.gururmm.protocol.api.Agents.AgentSummary;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentResolverTest {
    private static final AgentSummary WEB = agent("3f2a9c4e-1b2d-4c5e-8f90-123456789abc", "web01");
    private static final AgentSummary DB = agent("3f2b0000-1b2d-4c5e-8f90-123456789abc", "db01");
    private static final AgentSummary NAMED_LIKE_ID = agent("aaaa0000-1b2d-4c5e-8f90-123456789abc", "3f2a");
    private final AgentResolver resolver = new AgentResolver(List.of(WEB, DB, NAMED_LIKE_ID));

    private static AgentSummary agent(String id, String hostname) {
        return new AgentSummary(UUID.fromString(id), hostname, "linux", "amd64", "0.1.0", "stable", "online", null, "m-" + hostname, null, false);
    }

    @Test
    void findsByHostnameIgnoringCase() {
        assertThat(resolver.resolve("WEB01")).isEqualTo(WEB);
    }

    @Test
    void findsByFullIdAndUniquePrefix() {
        assertThat(resolver.resolve(DB.id().toString())).isEqualTo(DB);
        assertThat(resolver.resolve("3f2b")).isEqualTo(DB);
        assertThat(resolver.resolve("3F2A9")).isEqualTo(WEB);
    }

    @Test
    void hostnameWinsOverIdPrefix() {
        assertThat(resolver.resolve("3f2a")).isEqualTo(NAMED_LIKE_ID);
    }

    @Test
    void ambiguousPrefixListsEveryCandidate() {
        assertThatThrownBy(() -> resolver.resolve("3f2"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("ambiguous")
                .hasMessageContaining(WEB.id() + " (web01, online)")
                .hasMessageContaining(DB.id() + " (db01, online)")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    }

    @Test
    void unknownNameIsAUsageError() {
        assertThatThrownBy(() -> resolver.resolve("mail01")).isInstanceOf(CliException.class)
                .hasMessage("No agent matches 'mail01' by id, id prefix or hostname; 'gururmm agents list' shows them.");
    }

    @Test
    void fullIdIsRecognisedOnlyWhenComplete() {
        assertThat(AgentResolver.parseFullId(WEB.id().toString())).isEqualTo(WEB.id());
        assertThat(AgentResolver.parseFullId("3f2a9c4e")).isNull();
        assertThat(AgentResolver.parseFullId("web01")).isNull();
    }
}
