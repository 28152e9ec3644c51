package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtKeyFileTest {
    @TempDir
    Path dir;

    @Test
    void createdOnceMode0600AndReadBackUnchanged() throws Exception {
        Path file = dir.resolve("jwt-signing.key");
        byte[] created = JwtKeyFile.load(file, true);
        assertThat(created).hasSize(JwtKeyFile.KEY_BYTES);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(JwtKeyFile.load(file, true)).isEqualTo(created);
        try (var listing = Files.list(dir)) {
            assertThat(listing).as("no temp file left behind").containsExactly(file);
        }
    }

    @Test
    void aConfiguredFileMustExistAndHoldEnoughKey() throws Exception {
        Path missing = dir.resolve("shared.key");
        assertThatThrownBy(() -> JwtKeyFile.load(missing, false)).hasMessageContaining("GURURMM_JWT_KEY_FILE").hasMessageContaining("shared.key");
        assertThat(Files.exists(missing)).isFalse();
        Files.writeString(missing, "c2hvcnQ=\n");
        assertThatThrownBy(() -> JwtKeyFile.load(missing, false)).hasMessageContaining("at least 32");
        Files.writeString(missing, "not base64 !!\n");
        assertThatThrownBy(() -> JwtKeyFile.load(missing, false)).hasMessageContaining("not base64");
    }
}
