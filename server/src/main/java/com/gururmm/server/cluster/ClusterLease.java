package com.gururmm.server.cluster;

/**
 * One cluster-wide job's right to run: {@link #held()} is true on at most one node at a time
 * (as long as the nodes' monotonic clocks run at about the same rate; the lease's expiry is on the
 * database's clock, and a node gives the lease up in its own mind a fifth of the lease time
 * before the database would let another node take it). Renewed by {@link ClusterLeases}.
 */
public final class ClusterLease {
    private final String name;
    private volatile long heldUntilNanos;
    private volatile boolean everHeld;

    ClusterLease(String name) {
        this.name = name;
        this.heldUntilNanos = System.nanoTime();
    }

    public String name() {
        return name;
    }

    /** Whether this node may run the job now. */
    public boolean held() {
        return everHeld && System.nanoTime() - heldUntilNanos < 0;
    }

    void renewed(long startedNanos, long validNanos) {
        heldUntilNanos = startedNanos + validNanos;
        everHeld = true;
    }

    void lost() {
        everHeld = false;
    }
}
