package com.gururmm.agent.update;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which builds under versions/ survive pruning, on a real directory. */
class VersionPrunerTest {
    @TempDir
    Path versions;

    private void install(String... names) throws Exception {
        for (String name : names) {
            Files.createDirectories(versions.resolve(name));
            Files.writeString(versions.resolve(name).resolve(UpdateFiles.JAR), "jar of " + name);
        }
    }

    private Stream<String> left() throws Exception {
        try (Stream<Path> entries = Files.list(versions)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void keepsCurrentPreviousAndNewerDeletesTheRest() throws Exception {
        install("0.9.0", "1.0.0", "1.0.1", "1.1.0", "1.2.0", ".1.3.0.installing", "not-a-version");
        Files.writeString(versions.resolve("current"), "1.1.0\n");

        assertThat(VersionPruner.prune(versions, "1.1.0", Set.of())).containsExactlyInAnyOrder("0.9.0", "1.0.0");

        // 1.0.1 is the rollback target; 1.2.0 may be an update about to be switched to; the
        // pointer, an install in progress and an unknown directory are not ours to delete.
        assertThat(left()).containsExactly(".1.3.0.installing", "1.0.1", "1.1.0", "1.2.0", "current", "not-a-version");
        assertThat(versions.resolve("1.0.1").resolve(UpdateFiles.JAR)).hasContent("jar of 1.0.1");
    }

    @Test
    void ordersVersionsNumericallyNotAsText() throws Exception {
        install("1.2.0", "1.9.0", "1.10.0");

        // As text "1.10.0" < "1.2.0" < "1.9.0"; numerically 1.9.0 is the previous of 1.10.0.
        assertThat(VersionPruner.prune(versions, "1.10.0", Set.of())).containsExactly("1.2.0");
        assertThat(left()).containsExactly("1.10.0", "1.9.0");
    }

    @Test
    void aFreshInstallOrASingleUpdateDeletesNothing() throws Exception {
        install("1.0.0");
        assertThat(VersionPruner.prune(versions, "1.0.0", Set.of())).isEmpty();
        install("1.1.0");
        assertThat(VersionPruner.prune(versions, "1.1.0", Set.of())).isEmpty();
        assertThat(left()).containsExactly("1.0.0", "1.1.0");
    }

    @Test
    void aRolledBackBuildIsNeverKeptAsThePrevious() throws Exception {
        install("1.0.0", "1.1.0", "1.2.0");
        // 1.1.0 was rolled back: 1.0.0 is current again; 1.1.0 is newer and stays for now.
        assertThat(VersionPruner.prune(versions, "1.0.0", Set.of("1.1.0"))).isEmpty();
        // 1.2.0 then succeeds, coming from 1.0.0: that is the rollback target, the broken 1.1.0 goes.
        assertThat(VersionPruner.prune(versions, "1.2.0", Set.of("1.1.0"))).containsExactly("1.1.0");
        assertThat(left()).containsExactly("1.0.0", "1.2.0");
    }
}
