package com.gururmm.e2e;

import java.io.InputStream;
import java.util.Properties;

/**
 * Main class of a deliberately broken agent build: it answers {@code --version} like a real
 * build (so it passes the agent's start check) and crashes when run for real, as a build with a
 * start-up bug would. Packed into a jar by {@link ReleaseBuilds#crashing}; uses nothing but the JDK.
 */
public final class CrashingAgentMain {
    private CrashingAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (InputStream in = CrashingAgentMain.class.getResourceAsStream("/gururmm-agent.properties")) {
            p.load(in);
        }
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println(p.getProperty("version"));
            return;
        }
        System.err.println("simulated start-up crash of agent " + p.getProperty("version"));
        System.exit(1);
    }
}
