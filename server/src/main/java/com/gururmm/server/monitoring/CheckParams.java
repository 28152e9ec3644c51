package com.gururmm.server.monitoring;

/** The kind-specific settings of a check, stored as JSON in {@code checks.params}; unused fields are null. */
public record CheckParams(
        String metric,
        String operator,
        Double threshold,
        Integer durationSeconds,
        Double minutes,
        String service,
        String process,
        String host,
        Integer port,
        String url,
        Integer timeoutSeconds,
        Integer expectedStatus,
        Integer days,
        String script,
        String scriptType,
        Double intervalMinutes) {
}
