package com.gururmm.agent.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the agent's enrollment token comes from, and how it is disposed of once used.
 *
 * <p>A process cannot remove a variable from its own environment: a token given as
 * {@code GURURMM_ENROLLMENT_TOKEN} stays readable in {@code /proc/<pid>/environ} (by root) for
 * the life of the process. So the token can also come from a file, which the agent deletes as
 * soon as the server has accepted the enrollment and the credential is on disk. Sources, first
 * found wins:
 * <ol>
 *   <li>{@code GURURMM_ENROLLMENT_TOKEN_FILE}: a file the operator or installer wrote;</li>
 *   <li>{@value #HANDOVER} in the state dir: how the launcher, the server's supervisor and
 *       {@code install.sh} hand a token over without putting it into the agent's environment;</li>
 *   <li>{@code GURURMM_ENROLLMENT_TOKEN}: the plain variable (the README's one-liner).</li>
 * </ol>
 */
public final class EnrollmentToken {
    private static final Logger log = LoggerFactory.getLogger(EnrollmentToken.class);
    /** The token file in the state dir, mode 0600. */
    public static final String HANDOVER = "enrollment-token";
    public static final String VARIABLE = "GURURMM_ENROLLMENT_TOKEN";
    public static final String FILE_VARIABLE = "GURURMM_ENROLLMENT_TOKEN_FILE";

    private final String token;
    private final Path file;

    private EnrollmentToken(String token, Path file) {
        this.token = token;
        this.file = file;
    }

    public String token() {
        return token;
    }

    /** The file the token was read from; empty if it came from the environment. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * The token to enroll with, if there is one.
     *
     * @param configuredFile {@code GURURMM_ENROLLMENT_TOKEN_FILE}, or null
     * @param plain          {@code GURURMM_ENROLLMENT_TOKEN}, or null
     */
    public static Optional<EnrollmentToken> find(Path configuredFile, StateDir state, String plain) {
        for (Path candidate : new Path[] {configuredFile, state.resolve(HANDOVER)}) {
            if (candidate == null || !Files.isRegularFile(candidate)) {
                continue;
            }
            try {
                String text = Files.readString(candidate, StandardCharsets.UTF_8).trim();
                if (!text.isEmpty()) {
                    warnIfOthersCanRead(candidate);
                    return Optional.of(new EnrollmentToken(text, candidate));
                }
            } catch (IOException e) {
                log.warn("cannot read the enrollment token file {}: {}", candidate, e.getMessage());
            }
        }
        return plain == null || plain.isBlank() ? Optional.empty() : Optional.of(new EnrollmentToken(plain.trim(), null));
    }

    /**
     * The token has done its job (the server issued a credential and it is saved): delete the
     * file it came from, or at least empty it where the file cannot be deleted.
     */
    public void consumed() {
        if (file != null) {
            destroy(file);
        }
    }

    /** An enrolled agent needs no token: a handover file still lying in the state dir is removed. */
    public static void discardLeftover(StateDir state) {
        Path leftover = state.resolve(HANDOVER);
        if (Files.exists(leftover)) {
            log.info("already enrolled; removing the unused enrollment token file {}", leftover);
            destroy(leftover);
        }
    }

    /** Writes {@code token} to the state dir's handover file, 0600 from the moment it exists. */
    public static void handOver(StateDir state, String token) throws IOException {
        state.writeAtomically(state.resolve(HANDOVER), token.trim() + "\n", true);
    }

    private static void destroy(Path file) {
        try {
            Files.deleteIfExists(file);
            return;
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", file, e.toString());
        }
        try {
            Files.write(file, new byte[0]);
            log.warn("could not delete the enrollment token file {}; emptied it instead, delete it by hand", file);
        } catch (IOException e) {
            log.warn("could not delete or empty the enrollment token file {} ({}); delete it by hand, the token in it is a secret",
                    file, e.getMessage());
        }
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                log.warn("the enrollment token file {} is readable by other users; make it 0600 (it is deleted after enrollment)", file);
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // not POSIX (Windows: ACLs), or vanished: nothing to say
        }
    }
}
