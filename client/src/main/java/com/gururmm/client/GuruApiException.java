package com.gururmm.client;

/** The server answered with an error ({@code {"error","message"}}), or could not be reached (status 0). */
public final class GuruApiException extends RuntimeException {
    private final int status;
    private final String code;

    public GuruApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
