package com.gururmm.server.release;

import com.gururmm.protocol.release.ReleaseName;
import java.util.List;

/**
 * One agent build found in the downloads dir, as of one scan.
 *
 * @param channel the {@code .channel} sidecar's word ({@code stable} when there is none)
 * @param sha256 the verified hash, or null when the {@code .sha256} sidecar is missing, malformed
 *               or does not match the file (then the build is never offered)
 * @param signature the {@code .sig} sidecar, or null
 * @param signed whether {@code signature} verifies with the server's release key
 * @param problems sentences for the operator, each naming the file and the fix
 */
public record Release(ReleaseName name, String channel, String sha256, long size, String signature, boolean signed,
                      List<String> problems) {

    public String file() {
        return name.fileName();
    }

    /** SPEC section 6: a build without a valid {@code .sha256} is never offered. */
    public boolean offerable() {
        return sha256 != null;
    }

    /** Anything but an explicit {@code stable} (incl. a garbled sidecar) keeps stable agents off it. */
    public boolean stable() {
        return "stable".equals(channel);
    }
}
