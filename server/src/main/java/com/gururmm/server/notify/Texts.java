package com.gururmm.server.notify;

/** Small text helpers for what notifications store and send. */
final class Texts {
    private Texts() {
    }

    static String clip(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        return value.substring(0, max - 1) + "…";
    }

    static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
