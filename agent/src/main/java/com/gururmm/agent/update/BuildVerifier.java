package com.gururmm.agent.update;

import com.gururmm.protocol.Checksums;

import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.protocol.release.ReleaseSignature;
import com.gururmm.protocol.release.Version;
import com.gururmm.protocol.wire.ServerMessage.UpdateOffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;

/**
 * Decides whether an offered build may run here. Before download: the offer must name a build
 * for this platform, newer than what runs, and its Ed25519 signature must verify with the public
 * key the agent was installed with (so the server's word alone is not enough). After download:
 * the bytes must have the signed size and SHA-256. Any failure is an {@link UpdateRefused}.
 */
final class BuildVerifier {
    private final PublicKey trusted;
    private final String os;
    private final String arch;
    private final Version running;

    BuildVerifier(PublicKey trusted, String os, String arch, Version running) {
        this.trusted = trusted;
        this.os = os;
        this.arch = arch;
        this.running = running;
    }

    ReleaseName checkOffer(UpdateOffer offer) throws UpdateRefused {
        ReleaseName name = ReleaseName.parse(offer.file()).orElseThrow(() ->
                new UpdateRefused("the offered file '" + offer.file() + "' is not a release name; refusing it"));
        if (!name.os().equals(os) || !name.arch().equals(arch) || !name.os().equals(offer.os()) || !name.arch().equals(offer.arch())) {
            throw new UpdateRefused(offer.file() + " is for " + name.platform() + ", this agent runs on " + os + "-" + arch + "; refusing it");
        }
        if (!name.version().toString().equals(offer.version())) {
            throw new UpdateRefused(offer.file() + " does not carry the offered version " + offer.version() + "; refusing it");
        }
        if (!name.version().isNewerThan(running)) {
            throw new UpdateRefused(offer.file() + " is not newer than the running " + running + "; agents never downgrade");
        }
        if (!name.ext().equals(".jar")) {
            throw new UpdateRefused(offer.file() + " is not a .jar build; this agent runs on Java and can only switch to a .jar build");
        }
        if (offer.sha256() == null || !offer.sha256().matches("[0-9a-f]{64}")) {
            throw new UpdateRefused("the offer of " + offer.file() + " carries no valid sha256; refusing it");
        }
        if (offer.signature() == null || offer.signature().isBlank()) {
            throw new UpdateRefused(offer.file() + " is not signed; agents only run builds signed with the release key they were installed with");
        }
        byte[] message = ReleaseSignature.message(offer.file(), offer.version(), offer.os(), offer.arch(), offer.sha256());
        if (!ReleaseSignature.verify(trusted, message, offer.signature())) {
            throw new UpdateRefused("the signature of " + offer.file() + " does not verify with this agent's release public key; refusing it");
        }
        return name;
    }

    void checkDownload(UpdateOffer offer, Path file) throws UpdateRefused, IOException {
        long size = Files.size(file);
        if (offer.size() > 0 && size != offer.size()) {
            throw new UpdateRefused("the download of " + offer.file() + " has " + size + " bytes, the release has " + offer.size()
                    + " (truncated or altered); refusing it");
        }
        String actual = sha256(file);
        if (!actual.equals(offer.sha256())) {
            throw new UpdateRefused("the download of " + offer.file() + " hashes to " + actual + ", the signed release to "
                    + offer.sha256() + " (tampered or damaged); refusing it");
        }
    }

    static String sha256(Path file) throws IOException {
        return Checksums.sha256Hex(file);
    }
}
