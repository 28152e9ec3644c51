package com.gururmm.agent.platform;

import com.gururmm.protocol.CommandType;
import java.util.List;

/** What Linux and macOS do alike: script names, process groups via {@code setsid}, group kill. */
abstract class UnixPlatform implements Platform {
    @Override
    public String scriptExtension(CommandType type) {
        return Unix.extension(type);
    }

    @Override
    public List<String> isolate(List<String> argv) {
        return Unix.isolate(argv);
    }

    @Override
    public void killGroup(long pid) {
        Unix.killGroup(pid);
    }
}
