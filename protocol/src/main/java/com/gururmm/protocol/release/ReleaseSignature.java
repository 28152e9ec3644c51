package com.gururmm.protocol.release;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 signatures over a release (JDK's own provider, RFC 8032). The server signs, the agent
 * verifies with the public key it was installed with, so neither a tampered downloads dir nor a
 * man in the middle can make an agent run a build the key holder did not sign.
 *
 * <p>The signed message binds every fact the agent acts on, one per line, so a valid signature
 * for one platform or version cannot be replayed for another:
 * {@code gururmm-release-v1\n<file>\n<version>\n<os>\n<arch>\n<sha256 hex>\n}.
 */
public final class ReleaseSignature {
    public static final String ALGORITHM = "Ed25519";

    private ReleaseSignature() {
    }

    public static byte[] message(String file, String version, String os, String arch, String sha256) {
        return ("gururmm-release-v1\n" + file + "\n" + version + "\n" + os + "\n" + arch + "\n" + sha256.toLowerCase() + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Base64 signature of {@link #message}. */
    public static String sign(PrivateKey key, byte[] message) {
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(message);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with Ed25519: " + e.getMessage(), e);
        }
    }

    /** False for a wrong, malformed or missing signature; never throws on hostile input. */
    public static boolean verify(PublicKey key, byte[] message, String base64Signature) {
        if (base64Signature == null || base64Signature.isBlank()) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(Base64.getDecoder().decode(base64Signature.trim()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A public key from its base64 X.509 (SubjectPublicKeyInfo) encoding, as the server publishes it. */
    public static PublicKey publicKey(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a base64 Ed25519 public key: " + e.getMessage(), e);
        }
    }
}
