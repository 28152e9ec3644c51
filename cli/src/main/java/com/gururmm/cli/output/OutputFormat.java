package com.gururmm.cli.output;

/** {@code table} for people, {@code json} (the API's own snake_case fields) for scripts. */
public enum OutputFormat {
    table, json
}
