package com.gururmm.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrollmentTokenTest {
    @TempDir
    Path tmp;
    private StateDir state;

    @BeforeEach
    void prepare() {
        state = new StateDir(tmp.resolve("state"));
        state.prepare();
    }

    @Test
    void aConfiguredFileWinsAndIsDeletedOnceConsumed() throws Exception {
        Path file = tmp.resolve("token");
        Files.writeString(file, "grmm_enroll_fromfile\n");
        EnrollmentToken.handOver(state, "grmm_enroll_handover");

        EnrollmentToken token = EnrollmentToken.find(file, state, "grmm_enroll_plain").orElseThrow();
        assertThat(token.token()).isEqualTo("grmm_enroll_fromfile");
        token.consumed();
        assertThat(file).doesNotExist();
        assertThat(state.resolve(EnrollmentToken.HANDOVER)).as("only the file it came from").exists();
    }

    @Test
    void theHandoverFileComesBeforeThePlainVariableAndIsPrivate() throws Exception {
        EnrollmentToken.handOver(state, "grmm_enroll_handover");
        Path handover = state.resolve(EnrollmentToken.HANDOVER);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(handover))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.root()))).isEqualTo("rwx------");

        EnrollmentToken token = EnrollmentToken.find(tmp.resolve("missing"), state, "grmm_enroll_plain").orElseThrow();
        assertThat(token.token()).isEqualTo("grmm_enroll_handover");
        token.consumed();
        assertThat(handover).doesNotExist();
    }

    @Test
    void thePlainVariableIsTheLastResortAndHasNoFileToDelete() {
        EnrollmentToken token = EnrollmentToken.find(null, state, " grmm_enroll_plain ").orElseThrow();
        assertThat(token.token()).isEqualTo("grmm_enroll_plain");
        assertThat(token.file()).isEmpty();
        assertThat(EnrollmentToken.find(null, state, " ")).isEmpty();
    }

    @Test
    void anEmptyFileIsNoToken() throws Exception {
        Path file = tmp.resolve("token");
        Files.writeString(file, "\n");
        assertThat(EnrollmentToken.find(file, state, null)).isEmpty();
    }

    @Test
    void anEnrolledAgentDiscardsALeftoverHandoverFile() throws Exception {
        EnrollmentToken.handOver(state, "grmm_enroll_handover");
        EnrollmentToken.discardLeftover(state);
        assertThat(state.resolve(EnrollmentToken.HANDOVER)).doesNotExist();
    }

    @Test
    void everyStateFileIsCreatedPrivate() throws Exception {
        state.writeAtomically(state.resolve("x.json"), "{}", false);
        state.writeAtomicallyNoSync(state.resolve("y.json"), "{}");
        new Journal(state).claim(java.util.UUID.randomUUID());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("x.json")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("y.json")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(Ledger.FILE)))).isEqualTo("rw-------");
    }
}
