package com.gururmm.testkit;

import java.util.UUID;

/**
 * One fleet (server + one agent) shared by the tests of a class that runs once per database
 * kind ({@code @ParameterizedClass @EnumSource(TestDatabase.Kind.class)}): the fleet is
 * started for the first test of a kind and replaced when the kind changes.
 */
public final class SharedFleet implements AutoCloseable {
    private Fleet fleet;
    private TestDatabase.Kind kind;
    private UUID agentId;

    public synchronized Fleet get(TestDatabase.Kind wanted) {
        if (fleet == null || kind != wanted) {
            close();
            fleet = Fleet.start(wanted);
            kind = wanted;
            agentId = fleet.onlineAgentId();
        }
        return fleet;
    }

    /** The id of the fleet's first agent. */
    public synchronized UUID agentId() {
        return agentId;
    }

    @Override
    public synchronized void close() {
        if (fleet != null) {
            fleet.close();
            fleet = null;
            kind = null;
        }
    }
}
