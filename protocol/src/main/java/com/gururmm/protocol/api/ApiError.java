package com.gururmm.protocol.api;

/** Every error response: a stable machine code and a sentence for people. */
public record ApiError(String error, String message) {
}
