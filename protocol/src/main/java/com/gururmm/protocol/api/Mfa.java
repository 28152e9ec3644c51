package com.gururmm.protocol.api;

import java.util.List;

/** Bodies of {@code /api/auth/mfa/*} and {@code /api/settings/mfa} (docs/OPERATIONS.md, "MFA"). */
public final class Mfa {
    private Mfa() {
    }

    /**
     * A started TOTP enrolment: {@code secret} (base32) to type into an authenticator app, the
     * same as an {@code otpauth://} URI, and that URI as a QR code ({@code qr_code}, an SVG data URI).
     */
    public record TotpEnrollment(String secret, String otpauthUri, String qrCode) {
    }

    /** {@code POST /api/auth/mfa/totp/confirm}. */
    /** {@code POST /api/auth/mfa/totp/enroll}: the current password, so a stolen session alone cannot bind an attacker's authenticator. */
    public record PasswordRequest(String password) {
    }

    public record CodeRequest(String code) {
    }

    /** The recovery codes, shown once, when an enrolment is confirmed. */
    public record RecoveryCodes(List<String> recoveryCodes) {
    }

    /** {@code POST /api/auth/mfa/verify}: the login's {@code mfa_token} and either a current code or a recovery code. */
    public record VerifyRequest(String mfaToken, String code, String recoveryCode) {
    }

    /** {@code POST /api/auth/mfa/login-enroll}: enrol during a login that the MFA policy stopped. */
    public record MfaTokenRequest(String mfaToken) {
    }

    /** {@code DELETE /api/auth/mfa/totp}: the password and a current code (or a recovery code). */
    public record DisableRequest(String password, String code, String recoveryCode) {
    }

    /** {@code GET /api/auth/mfa}: the caller's own state. */
    public record Status(boolean totpEnabled, boolean enrollmentPending, int recoveryCodesLeft, boolean requiredForRole) {
    }

    /** {@code GET/PUT /api/settings/mfa}: the roles whose users must have MFA (empty: optional for everyone). */
    public record Policy(List<String> requiredRoles) {
    }
}
