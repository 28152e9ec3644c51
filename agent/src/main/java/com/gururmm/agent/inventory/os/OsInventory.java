package com.gururmm.agent.inventory.os;

import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.util.List;

/**
 * The OS-specific part of the system inventory (installed software, services, pending updates and
 * the reboot flag), one implementation per OS, chosen by the agent's
 * {@link com.gururmm.agent.platform.Platform}. Hardware, disks, network interfaces and file
 * systems come from OSHI on every OS. Each method may throw: the collector records the error for
 * that part and reports the rest.
 */
public interface OsInventory {
    List<Software> software() throws Exception;

    List<Service> services() throws Exception;

    Updates updates() throws Exception;

    /** For an OS with nothing to offer (or a test). */
    OsInventory NONE = new OsInventory() {
        @Override
        public List<Software> software() {
            return List.of();
        }

        @Override
        public List<Service> services() {
            return List.of();
        }

        @Override
        public Updates updates() {
            return new Updates(null, null, null, List.of(), null, null);
        }
    };
}
