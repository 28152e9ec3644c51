package com.gururmm.agent.inventory;

import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.Inventory;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import oshi.SystemInfo;
import oshi.software.os.OperatingSystem;

/** Gathers what the agent reports about its machine (hostname, OS, addresses, users, health). */
public final class InventoryCollector {
    private final String os;
    private final String arch;
    private final String agentVersion;
    private final String channel;
    private final String machineUid;
    private final String deviceId;
    private final StateDir state;
    /**
     * OSHI takes a few hundred milliseconds to load (JNA native library, OS probes). It is
     * started in the background so enrollment and the first hello are not held up by it: a
     * freshly installed agent should answer its first command within a second of starting.
     * Until it is ready, the OS version comes from the JVM and the user list is empty; the next
     * inventory check reports the full picture.
     */
    private final CompletableFuture<OperatingSystem> operatingSystem;
    private String sandboxNote;

    public InventoryCollector(String os, String arch, String agentVersion, String channel, String machineUid, String deviceId, StateDir state) {
        this.os = os;
        this.arch = arch;
        this.agentVersion = agentVersion;
        this.channel = channel;
        this.machineUid = machineUid;
        this.deviceId = deviceId;
        this.state = state;
        this.operatingSystem = CompletableFuture.supplyAsync(InventoryCollector::loadOshi,
                command -> Thread.ofVirtual().name("inventory-oshi").start(command));
    }

    /** Reported with the health flags (SPEC section 7). */
    public InventoryCollector withSandboxNote(String note) {
        this.sandboxNote = note;
        return this;
    }

    private static OperatingSystem loadOshi() {
        try {
            OperatingSystem os = new SystemInfo().getOperatingSystem();
            os.toString(); // forces the OS probes now, off the start-up path
            return os;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** True once the full inventory (OS version, logged-on users) is available. */
    public boolean complete() {
        return operatingSystem.isDone();
    }

    /** Runs {@code action} once the full inventory is available. */
    public void whenComplete(Runnable action) {
        operatingSystem.whenComplete((os, error) -> action.run());
    }

    public Inventory collect() {
        return new Inventory(hostname(), os, osVersion(), arch, agentVersion, channel, machineUid, deviceId,
                ipAddresses(), loggedOnUsers(), new Inventory.Health(state.writable(), state.problems(), sandboxNote));
    }

    private OperatingSystem oshi() {
        return operatingSystem.isDone() ? operatingSystem.getNow(null) : null;
    }

    private String osVersion() {
        OperatingSystem operatingSystem = oshi();
        if (operatingSystem == null) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
        try {
            return operatingSystem.toString();
        } catch (RuntimeException e) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
    }

    private static String hostname() {
        String env = System.getenv("GURURMM_HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String fallback = System.getenv("HOSTNAME");
            return fallback == null ? "unknown" : fallback;
        }
    }

    private static List<String> ipAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    String text = address.getHostAddress();
                    int scope = text.indexOf('%');
                    out.add(scope > 0 ? text.substring(0, scope) : text);
                }
            }
        } catch (SocketException ignored) {
            // report what we have
        }
        return out;
    }

    private List<String> loggedOnUsers() {
        OperatingSystem operatingSystem = oshi();
        if (operatingSystem == null) {
            return List.of();
        }
        try {
            TreeSet<String> users = new TreeSet<>();
            operatingSystem.getSessions().forEach(session -> users.add(session.getUserName()));
            return List.copyOf(users);
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }
}
