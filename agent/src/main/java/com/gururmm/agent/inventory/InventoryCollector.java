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
    private final OperatingSystem operatingSystem;
    private String sandboxNote;

    public InventoryCollector(String os, String arch, String agentVersion, String channel, String machineUid, String deviceId, StateDir state) {
        this.os = os;
        this.arch = arch;
        this.agentVersion = agentVersion;
        this.channel = channel;
        this.machineUid = machineUid;
        this.deviceId = deviceId;
        this.state = state;
        OperatingSystem detected;
        try {
            detected = new SystemInfo().getOperatingSystem();
        } catch (RuntimeException | LinkageError e) {
            detected = null;
        }
        this.operatingSystem = detected;
    }

    /** Reported with the health flags (SPEC section 7). */
    public InventoryCollector withSandboxNote(String note) {
        this.sandboxNote = note;
        return this;
    }

    public Inventory collect() {
        return new Inventory(hostname(), os, osVersion(), arch, agentVersion, channel, machineUid, deviceId,
                ipAddresses(), loggedOnUsers(), new Inventory.Health(state.writable(), state.problems(), sandboxNote));
    }

    private String osVersion() {
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
