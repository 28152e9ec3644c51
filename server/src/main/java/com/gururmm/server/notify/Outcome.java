package com.gururmm.server.notify;

/**
 * The result of one send attempt.
 *
 * @param httpStatus the webhook receiver's status (null for e-mail, or when no response came)
 * @param reply      the receiver's answer: start of the HTTP body, or the SMTP server's last reply
 * @param error      why it failed, in words (null on success)
 */
record Outcome(boolean ok, Integer httpStatus, String reply, String error) {
    static Outcome success(Integer httpStatus, String reply) {
        return new Outcome(true, httpStatus, reply, null);
    }

    static Outcome failure(Integer httpStatus, String reply, String error) {
        return new Outcome(false, httpStatus, reply, error);
    }
}
