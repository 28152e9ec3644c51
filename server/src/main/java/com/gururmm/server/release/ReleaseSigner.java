package com.gururmm.server.release;

import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.protocol.release.ReleaseSignature;
import com.gururmm.protocol.api.Releases.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ed25519 key releases are signed with. Kept as a file, not in the database: a database dump
 * must not be enough to sign agent builds. By default {@code <data dir>/release-signing.key}
 * (PKCS#8, base64, mode 0600), generated on first start; an operator who signs offline points
 * {@code GURURMM_RELEASE_SIGNING_KEY_FILE} at the key instead (every node of a cluster needs the
 * same file). Agents get the public half at install time (see docs/RELEASES.md).
 */
public final class ReleaseSigner {
    private static final Logger log = LoggerFactory.getLogger(ReleaseSigner.class);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private ReleaseSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Loads the key at {@code keyFile}; creates it if it does not exist and {@code mayCreate}. */
    public static ReleaseSigner load(Path keyFile, boolean mayCreate) {
        try {
            if (!Files.exists(keyFile)) {
                if (!mayCreate) {
                    throw new IllegalStateException("GURURMM_RELEASE_SIGNING_KEY_FILE points at " + keyFile
                            + ", which does not exist; point it at the PKCS#8 Ed25519 key, or unset it to use one in the data dir.");
                }
                return create(keyFile);
            }
            String text = Files.readString(keyFile, StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            KeyFactory factory = KeyFactory.getInstance(ReleaseSignature.ALGORITHM);
            PrivateKey priv = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(text)));
            Path pubFile = publicKeyFile(keyFile);
            if (!Files.exists(pubFile)) {
                throw new IllegalStateException("the release signing key " + keyFile + " has no public key beside it (" + pubFile
                        + "); restore it, or write the base64 X.509 public key there");
            }
            PublicKey pub = ReleaseSignature.publicKey(Files.readString(pubFile, StandardCharsets.US_ASCII));
            byte[] probe = "gururmm key check".getBytes(StandardCharsets.UTF_8);
            if (!ReleaseSignature.verify(pub, probe, ReleaseSignature.sign(priv, probe))) {
                throw new IllegalStateException("the release signing key " + keyFile + " and " + pubFile + " are not a pair");
            }
            return new ReleaseSigner(priv, pub);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the release signing key " + keyFile, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the release signing key " + keyFile + " is not a base64 PKCS#8 Ed25519 key: " + e.getMessage(), e);
        }
    }

    private static ReleaseSigner create(Path keyFile) throws IOException, GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance(ReleaseSignature.ALGORITHM).generateKeyPair();
        Files.createDirectories(keyFile.toAbsolutePath().getParent());
        Path tmp = AtomicFiles.tempBeside(keyFile);
        try {
            Files.writeString(tmp, "");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // Windows: the data dir's ACLs apply.
            }
            Files.writeString(tmp, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n", StandardCharsets.US_ASCII);
            AtomicFiles.writeString(publicKeyFile(keyFile), Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n");
            AtomicFiles.moveIntoPlace(tmp, keyFile);
        } finally {
            Files.deleteIfExists(tmp);
        }
        log.info("created a new release signing key at {}; agents must be installed with its public key ({})", keyFile, publicKeyFile(keyFile));
        return new ReleaseSigner(pair.getPrivate(), pair.getPublic());
    }

    static Path publicKeyFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
    }

    public String sign(ReleaseName name, String sha256) {
        return ReleaseSignature.sign(privateKey, message(name, sha256));
    }

    public boolean verify(ReleaseName name, String sha256, String signature) {
        return ReleaseSignature.verify(publicKey, message(name, sha256), signature);
    }

    private static byte[] message(ReleaseName name, String sha256) {
        return ReleaseSignature.message(name.fileName(), name.version().toString(), name.os(), name.arch(), sha256);
    }

    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    public SigningKey describe() {
        try {
            String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
            return new SigningKey(ReleaseSignature.ALGORITHM, publicKeyBase64(), fingerprint);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
