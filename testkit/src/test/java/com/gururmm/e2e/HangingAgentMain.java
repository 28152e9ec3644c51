package com.gururmm.e2e;

import java.io.InputStream;
import java.util.Properties;

/**
 * Main class of a build that starts but never reaches the server (a deadlock at start-up, a
 * wrong URL baked in): it answers {@code --version} like a real build, so it passes the agent's
 * start check, then prints its pid and sleeps until killed. Packed by {@link ReleaseBuilds#hanging}.
 */
public final class HangingAgentMain {
    private HangingAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (InputStream in = HangingAgentMain.class.getResourceAsStream("/gururmm-agent.properties")) {
            p.load(in);
        }
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println(p.getProperty("version"));
            return;
        }
        System.out.println("hanging agent " + p.getProperty("version") + " pid " + ProcessHandle.current().pid());
        Thread.sleep(Long.MAX_VALUE);
    }
}
