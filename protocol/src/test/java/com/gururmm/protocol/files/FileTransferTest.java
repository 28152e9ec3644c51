package com.gururmm.protocol.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The path and hash rules both server and agent apply before touching a file. */
@Timeout(10)
class FileTransferTest {
    @Test
    void absolutePathsOfEveryPlatformPass() {
        for (String ok : new String[] {"/tmp/a.txt", "/srv/app/config.yml", "C:\\Temp\\report.txt", "d:/data/x.bin", "\\\\server\\share\\f"}) {
            assertThat(FileTransfer.pathProblem(ok)).as(ok).isNull();
        }
    }

    @Test
    void relativeEmptyNulControlAndDirectoryPathsAreRefusedWithAReason() {
        assertThat(FileTransfer.pathProblem(null)).contains("required");
        assertThat(FileTransfer.pathProblem("")).contains("required");
        assertThat(FileTransfer.pathProblem("relative/file.txt")).contains("not absolute");
        assertThat(FileTransfer.pathProblem("C:relative")).contains("not absolute");
        assertThat(FileTransfer.pathProblem("/tmp/a\0b")).contains("NUL");
        assertThat(FileTransfer.pathProblem("/tmp/a\nb")).contains("U+000A");
        assertThat(FileTransfer.pathProblem("/tmp/")).contains("directory");
        assertThat(FileTransfer.pathProblem("/" + "a".repeat(FileTransfer.MAX_PATH_CHARS))).contains("at most");
    }

    @Test
    void sha256MustBeSixtyFourHexDigits() {
        assertThat(FileTransfer.sha256Problem("ab".repeat(32))).isNull();
        assertThat(FileTransfer.sha256Problem("AB".repeat(32))).isNull();
        assertThat(FileTransfer.sha256Problem("ab")).contains("64 hex digits");
        assertThat(FileTransfer.sha256Problem("zz".repeat(32))).contains("64 hex digits");
    }
}
