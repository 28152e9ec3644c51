package com.gururmm.agent.platform.windows;

import java.io.IOException;

/** A Win32 call failed; {@link #code} is its {@code GetLastError} value. */
public final class Win32Exception extends IOException {
    private final int code;

    public Win32Exception(String call, int code, String description) {
        super(call + " failed: " + description + " (Windows error " + code + ")");
        this.code = code;
    }

    public int code() {
        return code;
    }
}
