package com.gururmm.agent;

import com.gururmm.agent.update.Launcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar gururmm-agent.jar}: runs the agent with settings from the environment (SPEC section 3a).
 * {@code java -jar gururmm-agent.jar launcher}: runs it under the update watchdog (docs/RELEASES.md).
 * {@code java -jar gururmm-agent.jar doctor}: checks this machine's agent and says what to fix.
 * {@code java -jar gururmm-agent.jar service}: the launcher as a Windows service (WindowsService).
 * {@code java -XX:AOTCacheOutput=F -jar gururmm-agent.jar train}: the training run behind the start-up cache (AotCache).
 */
public final class AgentMain {
    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

    private AgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && (args[0].equals("--version") || args[0].equals("version"))) {
            System.out.println(AgentConfig.buildVersion());
            return;
        }
        if (args.length > 0 && args[0].equals("train")) {
            // The start-up cache's training run (update.AotCache): real commands in a throw-away state dir.
            System.exit(com.gururmm.agent.update.AotCache.train());
            return;
        }
        if (args.length > 0 && args[0].equals("doctor")) {
            // Checks state dir, credential, server, TLS pin, clock and sandbox; changes nothing.
            System.exit(com.gururmm.agent.doctor.Doctor.run(System.getenv(), System.out));
            return;
        }
        AgentConfig config;
        try {
            config = AgentConfig.load(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("gururmm-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length > 0 && args[0].equals("service")) {
            // Windows: the launcher under the Service Control Manager (the MSI registers GuruRMMAgent).
            Launcher launcher = new Launcher(config.stateDir(), System.getenv());
            System.exit(com.gururmm.agent.platform.windows.WindowsService.run(new com.gururmm.agent.platform.windows.JnaServiceControl(),
                    new com.gururmm.agent.platform.windows.WindowsService.Work() {
                        @Override
                        public int run() throws Exception {
                            return launcher.run();
                        }

                        @Override
                        public void stop() {
                            launcher.stop();
                        }
                    }));
            return;
        }
        if (args.length > 0 && args[0].equals("launcher")) {
            // The watchdog that runs the agent as a child and makes self-update safe (see Launcher).
            System.exit(new Launcher(config.stateDir(), System.getenv()).run());
            return;
        }
        int exit = new Agent(config).run();
        if (exit != 0) {
            log.error("agent exiting with code {}", exit);
            System.exit(exit);
        }
    }
}
