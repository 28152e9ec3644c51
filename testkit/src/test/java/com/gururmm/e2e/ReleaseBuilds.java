package com.gururmm.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Real agent builds for update tests, made from the agent jar the reactor just packaged. */
final class ReleaseBuilds {
    private ReleaseBuilds() {
    }

    /** {@code agent/target/gururmm-agent.jar}, built by the agent module's package phase before these tests run. */
    static Path agentJar() {
        Path jar = Path.of("..", "agent", "target", "gururmm-agent.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; run the tests through the reactor (./mvnw verify -pl testkit -am) so the agent jar is packaged first");
        }
        return jar;
    }

    /** A copy of the real agent jar that reports {@code version}: only its gururmm-agent.properties differs. */
    static Path withVersion(String version, Path out) throws IOException {
        try (ZipFile in = new ZipFile(agentJar().toFile()); OutputStream file = Files.newOutputStream(out);
             java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(file)) {
            for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                zip.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().equals("gururmm-agent.properties")) {
                    zip.write(("version=" + version + "\n").getBytes(StandardCharsets.UTF_8));
                } else if (!entry.isDirectory()) {
                    try (InputStream data = in.getInputStream(entry)) {
                        data.transferTo(zip);
                    }
                }
                zip.closeEntry();
            }
        }
        return out;
    }

    /** A build that passes the start check ({@code --version}) and crashes when it runs as the agent. */
    static Path crashing(String version, Path out) throws IOException {
        return withMain(CrashingAgentMain.class, version, out);
    }

    /** A build that passes the start check and then runs forever without ever reaching the server. */
    static Path hanging(String version, Path out) throws IOException {
        return withMain(HangingAgentMain.class, version, out);
    }

    /** A one-class jar: {@code main} (JDK-only) plus the properties file that names its version. */
    private static Path withMain(Class<?> main, String version, Path out) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
        String classFile = main.getName().replace('.', '/') + ".class";
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), manifest);
             InputStream bytes = main.getResourceAsStream("/" + classFile)) {
            jar.putNextEntry(new ZipEntry(classFile));
            bytes.transferTo(jar);
            jar.closeEntry();
            jar.putNextEntry(new ZipEntry("gururmm-agent.properties"));
            jar.write(("version=" + version + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return out;
    }
}
