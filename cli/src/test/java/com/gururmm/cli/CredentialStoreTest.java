package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.cli.config.ConfigDir;
import com.gururmm.cli.config.CredentialStore;
import com.gururmm.cli.config.SavedLogin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
    @TempDir
    Path dir;

    @Test
    void savesOneLoginPerServerReadableOnlyByTheOwner() throws Exception {
        Path configDir = dir.resolve("fresh/gururmm");
        CredentialStore store = new CredentialStore(configDir);
        Instant expires = Instant.parse("2030-01-01T00:00:00Z");
        store.save("http://a:3001", new SavedLogin("a@example.com", "token-a", expires));
        store.save("http://b:3001", new SavedLogin("b@example.com", "token-b", expires));

        assertThat(store.currentServer()).contains("http://b:3001");
        assertThat(store.login("http://a:3001")).contains(new SavedLogin("a@example.com", "token-a", expires));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configDir))).isEqualTo("rwx------");
        assertThat(Files.readString(store.file())).contains("\"expires_at\" : \"2030-01-01T00:00:00Z\"");
        try (var leftovers = Files.list(configDir)) {
            assertThat(leftovers).containsExactly(store.file());
        }
    }

    @Test
    void removingTheCurrentServerLeavesNoDefault() {
        CredentialStore store = new CredentialStore(dir);
        store.save("http://a:3001", new SavedLogin("a@example.com", "t", null));
        assertThat(store.remove("http://a:3001")).isTrue();
        assertThat(store.remove("http://a:3001")).isFalse();
        assertThat(store.currentServer()).isEmpty();
        assertThat(store.login("http://a:3001")).isEmpty();
    }

    @Test
    void expiryIsComparedWithNow() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        assertThat(new SavedLogin("e", "t", now.minusSeconds(1)).expiredAt(now)).isTrue();
        assertThat(new SavedLogin("e", "t", now.plusSeconds(1)).expiredAt(now)).isFalse();
    }

    @Test
    void configDirFollowsTheEnvironment() {
        assertThat(ConfigDir.resolve(Map.of("GURURMM_CONFIG_DIR", "/x/y", "XDG_CONFIG_HOME", "/xdg"))).isEqualTo(Path.of("/x/y"));
        assertThat(ConfigDir.resolve(Map.of("XDG_CONFIG_HOME", "/xdg"))).isEqualTo(Path.of("/xdg/gururmm"));
        assertThat(ConfigDir.resolve(Map.of())).isEqualTo(Path.of(System.getProperty("user.home"), ".config", "gururmm"));
    }
}
