package com.gururmm.server;

import com.gururmm.server.config.ConfigException;
import com.gururmm.server.config.ServerConfig;
import com.gururmm.server.localagent.LocalAgentLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar gururmm-server.jar}: start on the environment's settings (SPEC section 2). */
public final class ServerMain {
    private static final Logger log = LoggerFactory.getLogger(ServerMain.class);
    private static final String INITIAL_PASSWORD_FILE = "initial-admin-password";

    private ServerMain() {
    }

    public static void main(String[] args) {
        ServerConfig config;
        try {
            config = ServerConfig.fromEnvironment();
        } catch (ConfigException e) {
            System.err.println("gururmm-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length > 0) {
            System.exit(command(config, args));
            return;
        }
        log.info("GuruRMM server {} starting", version());
        config.log(log);
        GuruServer server;
        try {
            server = GuruServer.start(config);
        } catch (ConfigException e) {
            // A setting or the data dir's state that the operator must fix (e.g. its file mode).
            System.err.println("gururmm-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        Optional<String> generated = server.ensureFirstAdmin();
        generated.ifPresent(password -> savePassword(config.dataDir(), password));
        LocalAgentLauncher localAgent = new LocalAgentLauncher(config, server.port(), server.enrollmentTokens(), server.releasePublicKey());
        server.tls().ifPresent(c -> localAgent.useTls(c.fingerprint()));
        localAgent.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            localAgent.stop();
            server.close();
        }, "gururmm-shutdown"));
        printBanner(config, server.port(), server.tls().map(c -> c.fingerprint()).orElse(null));
    }

    private static final String USAGE = """
            usage: gururmm-server                                  start the server (settings: the environment, SPEC section 2)
                   gururmm-server backup [--without-downloads] FILE  back up database, keys and downloads into FILE (while running)
                   gururmm-server restore FILE                     restore FILE into a fresh data dir and an empty database
            Both read the same environment as the server (GURURMM_DATA_DIR, DATABASE_URL, ...). docs/OPERATIONS.md, "Backup and restore".""";

    /** {@code backup} and {@code restore}: run with the server's settings, print one summary line, return the exit code. */
    static int command(ServerConfig config, String[] args) {
        String name = args[0];
        boolean withoutDownloads = args.length == 3 && name.equals("backup") && args[1].equals("--without-downloads");
        boolean usable = (name.equals("backup") && (args.length == 2 || withoutDownloads)) || (name.equals("restore") && args.length == 2);
        if (!usable) {
            System.err.println(name.equals("--help") || name.equals("-h") ? USAGE : "gururmm-server: unknown arguments\n" + USAGE);
            return name.equals("--help") || name.equals("-h") ? 0 : 2;
        }
        Path file = Path.of(args[args.length - 1]);
        try {
            long start = System.nanoTime();
            com.gururmm.server.backup.ServerBackup.Summary summary = name.equals("backup")
                    ? com.gururmm.server.backup.ServerBackup.backup(config, file, !withoutDownloads)
                    : com.gururmm.server.backup.ServerBackup.restore(config, file);
            System.out.printf("gururmm-server: %s %s: %d tables, %d rows, %d keys, %d downloads files, schema version %s (%d ms)%n",
                    name.equals("backup") ? "backed up into" : "restored from", file.toAbsolutePath(), summary.tables(), summary.rows(),
                    summary.keys(), summary.downloads(), summary.schemaVersion(), (System.nanoTime() - start) / 1_000_000);
            return 0;
        } catch (ConfigException e) {
            System.err.println("gururmm-server: " + name + " refused: " + e.getMessage());
            return 2;
        } catch (IOException | java.sql.SQLException | RuntimeException e) {
            System.err.println("gururmm-server: " + name + " failed: " + e);
            return 1;
        }
    }

    private static void printBanner(ServerConfig config, int port, String fingerprint) {
        String host = config.httpHost().equals("0.0.0.0") ? "127.0.0.1" : config.httpHost();
        StringBuilder banner = new StringBuilder("\n")
                .append("  GuruRMM server is running\n")
                .append("  URL:      ").append(fingerprint == null ? "http" : "https").append("://").append(host).append(':').append(port).append("/\n")
                // A line of its own: scripts (and QuickStartTest) read the URL line up to its end.
                .append("            open the URL in a browser for the dashboard; the REST API is under /api\n")
                .append("  Login:    ").append(config.adminEmail()).append('\n');
        if (fingerprint != null) {
            banner.append("  TLS:      SHA-256 fingerprint ").append(fingerprint).append('\n')
                    .append("            (agents: GURURMM_SERVER_FINGERPRINT=").append(fingerprint).append(")\n");
        }
        Path passwordFile = config.dataDir().resolve(INITIAL_PASSWORD_FILE);
        try {
            if (Files.exists(passwordFile)) {
                banner.append("  Password: ").append(Files.readString(passwordFile).trim())
                        .append("   (kept in ").append(passwordFile).append("; delete it once you have stored the password)\n");
            } else if (!config.adminPassword().isEmpty()) {
                banner.append("  Password: the value of GURURMM_ADMIN_PASSWORD\n");
            } else {
                banner.append("  Password: set on first start (the initial-admin-password file was deleted)\n");
            }
        } catch (IOException e) {
            banner.append("  Password: see ").append(passwordFile).append('\n');
        }
        if (config.logFormat().equals("json")) {
            // Every stdout line must be a JSON object then: the banner is one log event.
            log.info("{}", banner.toString().strip());
        } else {
            System.out.println(banner);
            System.out.flush();
        }
    }

    private static void savePassword(Path dataDir, String password) {
        Path file = dataDir.resolve(INITIAL_PASSWORD_FILE);
        try {
            Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system (Windows); the data dir's ACL applies
            }
        } catch (IOException e) {
            log.warn("could not save the generated admin password to {}: {}", file, e.getMessage());
            log.warn("Generated admin password (shown once): {}", password);
        }
    }

    static String version() {
        String v = ServerMain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
