package com.gururmm.agent.platform;

/**
 * A process that kills its whole tree itself (on Windows: by terminating the Job Object it and
 * all its descendants were placed in), instead of by process group and a walk of descendants.
 */
public interface TreeKillable {
    void killTree();
}
