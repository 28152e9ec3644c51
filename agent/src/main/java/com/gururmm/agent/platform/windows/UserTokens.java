package com.gururmm.agent.platform.windows;

import com.gururmm.agent.platform.CommandRefusedException;

/**
 * The primary token a {@code user_session} process is created with.
 *
 * <p>Decision: for an administrator whose token UAC filtered (the usual case: admins run with
 * a "limited" token until they consent to elevation), the process gets the <em>linked full
 * token</em>, so the command runs elevated with no consent prompt, exactly as SPEC section 4
 * asks ("a logged-on admin's token is effectively elevated"). A standard user's token has no
 * linked token and is used as is, unelevated. Either way the token from
 * {@code WTSQueryUserToken} is an impersonation token, so it is duplicated as a primary token.
 *
 * <p>Every handle obtained here is closed on every path except the one returned.
 */
final class UserTokens {
    private UserTokens() {
    }

    /** @param elevated true when the admin's linked full token was used */
    record Token(Win32.Handle handle, boolean elevated) {
    }

    static Token open(Win32 win32, ActiveSessions.Choice session) throws Win32Exception, CommandRefusedException {
        Win32.Handle user;
        try {
            user = win32.queryUserToken(session.sessionId());
        } catch (Win32Exception e) {
            if (e.code() == Win32.ERROR_NO_TOKEN || e.code() == Win32.ERROR_CTX_WINSTATION_NOT_FOUND) {
                throw new CommandRefusedException("No logged-on user: " + session.user() + " signed out of session "
                        + session.sessionId() + " before the command could start, so user_session cannot run.");
            }
            throw e;
        }
        try {
            if (win32.isFilteredAdmin(user)) {
                Win32.Handle linked = win32.linkedToken(user);
                try {
                    return new Token(win32.duplicatePrimary(linked), true);
                } finally {
                    win32.close(linked);
                }
            }
            return new Token(win32.duplicatePrimary(user), false);
        } finally {
            win32.close(user);
        }
    }
}
