package com.gururmm.agent.checks;

/** What one run of a check found: {@code ok}, {@code warning} or {@code critical}, and a line or two saying why. */
record CheckOutcome(String status, String output) {
    static CheckOutcome ok(String output) {
        return new CheckOutcome("ok", output);
    }

    static CheckOutcome critical(String output) {
        return new CheckOutcome("critical", output);
    }
}
