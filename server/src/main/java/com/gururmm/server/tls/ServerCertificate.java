package com.gururmm.server.tls;

import com.gururmm.server.config.ConfigException;
import com.gururmm.server.config.ServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate HTTPS is served with (docs/OPERATIONS.md, "TLS"): either the operator's PEM
 * chain and key ({@code GURURMM_TLS_CERT_FILE}, {@code GURURMM_TLS_KEY_FILE}: the key as PKCS#8
 * {@code PRIVATE KEY}, or the older {@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY} forms;
 * encrypted keys are refused with a message), or one generated once into the data dir
 * ({@code GURURMM_TLS_SELF_SIGNED=true}: {@code tls-selfsigned.pem}, key and certificate in one
 * 0600 file, EC P-256, ten years, names localhost, this host's name and the loopback addresses).
 * A self-signed certificate is trusted by pinning its SHA-256 {@link #fingerprint()}, which the
 * server prints at start and serves at {@code GET /api/server/tls}.
 *
 * @param chain leaf first
 */
public record ServerCertificate(List<X509Certificate> chain, PrivateKey key, boolean selfSigned, Path source) {
    private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);
    public static final String SELF_SIGNED_FILE = "tls-selfsigned.pem";

    /** The configured certificate, or empty when the server speaks plain HTTP. */
    public static java.util.Optional<ServerCertificate> fromConfig(ServerConfig config) {
        if (!config.tlsCertFile().isEmpty()) {
            Path cert = Path.of(config.tlsCertFile());
            Path key = Path.of(config.tlsKeyFile());
            return java.util.Optional.of(new ServerCertificate(readChain(cert), readKey(key), false, cert));
        }
        if (config.tlsSelfSigned()) {
            return java.util.Optional.of(selfSigned(config.dataDir().resolve(SELF_SIGNED_FILE)));
        }
        return java.util.Optional.empty();
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** SHA-256 of the leaf certificate's DER encoding, as {@code openssl x509 -fingerprint -sha256} prints it ({@code AB:CD:...}). */
    public String fingerprint() {
        return fingerprint(leaf());
    }

    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An in-memory key store for Jetty, with {@code password} on the key entry. */
    public KeyStore keyStore(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a key store of the TLS certificate: " + e.getMessage(), e);
        }
    }

    // --- PEM ---

    static List<X509Certificate> readChain(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(read(file, "GURURMM_TLS_CERT_FILE"))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new ConfigException("GURURMM_TLS_CERT_FILE " + file + " is not a PEM certificate (" + e.getMessage() + ").");
        }
        if (chain.isEmpty()) {
            throw new ConfigException("GURURMM_TLS_CERT_FILE " + file + " holds no '-----BEGIN CERTIFICATE-----' block; give the PEM"
                    + " certificate (the server's first, then any intermediates).");
        }
        return chain;
    }

    static PrivateKey readKey(Path file) {
        try (PEMParser parser = new PEMParser(read(file, "GURURMM_TLS_KEY_FILE"))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o.getClass().getSimpleName().contains("Encrypted")) {
                    throw new ConfigException("GURURMM_TLS_KEY_FILE " + file + " is encrypted; give the key without a passphrase"
                            + " (e.g. 'openssl pkey -in enc.key -out " + file + "') and keep the file 0600.");
                }
            }
        } catch (IOException e) {
            throw new ConfigException("GURURMM_TLS_KEY_FILE " + file + " is not a PEM private key (" + e.getMessage() + ").");
        }
        throw new ConfigException("GURURMM_TLS_KEY_FILE " + file + " holds no private key; give the PEM key ('-----BEGIN PRIVATE KEY-----').");
    }

    private static Reader read(Path file, String variable) {
        try {
            return new StringReader(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new ConfigException(variable + " points at " + file + ", which cannot be read (" + e.getMessage() + ").");
        }
    }

    // --- self-signed ---

    static ServerCertificate selfSigned(Path file) {
        if (Files.exists(file)) {
            return new ServerCertificate(readChain(file), readKey(file), true, file);
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X509Certificate cert = generate(pair);
            StringWriter pem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
                writer.writeObject(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", pair.getPrivate().getEncoded()));
                writer.writeObject(cert);
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException windows) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, pem.toString(), StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            log.info("generated a self-signed TLS certificate at {}", file);
            return new ServerCertificate(List.of(cert), pair.getPrivate(), true, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the self-signed TLS certificate " + file, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed TLS certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate generate(KeyPair pair) throws GeneralSecurityException, OperatorCreationException, IOException {
        String host = hostName();
        X500Name name = new X500Name("CN=GuruRMM self-signed (" + host.replaceAll("[,=+<>#;\"\\\\]", "_") + ")");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()).abs(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic());
        List<GeneralName> names = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.iPAddress, "::1")));
        if (!host.equals("localhost") && host.matches("[A-Za-z0-9.-]{1,253}")) {
            names.add(new GeneralName(GeneralName.dNSName, host.toLowerCase(Locale.ROOT)));
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
