package com.gururmm.server.auth;

import com.gururmm.protocol.api.Mfa.CodeRequest;
import com.gururmm.protocol.api.Mfa.PasswordRequest;
import com.gururmm.protocol.api.Mfa.DisableRequest;
import com.gururmm.protocol.api.Mfa.MfaTokenRequest;
import com.gururmm.protocol.api.Mfa.Policy;
import com.gururmm.protocol.api.Mfa.VerifyRequest;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/auth/mfa/*}, {@code /api/settings/mfa} and the admin's MFA reset (docs/OPERATIONS.md, "MFA"). */
public final class MfaRoutes {
    private final MfaService mfa;
    private final ClientAddress clientAddress;

    public MfaRoutes(MfaService mfa, ClientAddress clientAddress) {
        this.mfa = mfa;
        this.clientAddress = clientAddress;
    }

    public void register(RouteTable routes) {
        // Changing MFA (one's own, another user's, the policy) needs a signed-in session: an API key never relaxes MFA.
        routes.post("/api/auth/mfa/verify", Rule.open("the mfa_token of a login whose password was right, and a code"),
                "Second login step: a TOTP code or a recovery code completes the login and returns the session", ctx ->
                        ctx.json(mfa.verify(Bodies.read(ctx, VerifyRequest.class), clientAddress.of(ctx))));
        routes.post("/api/auth/mfa/login-enroll", Rule.open("the mfa_token of a login that the MFA policy stopped"),
                "Set TOTP up during a login the MFA policy requires it for; the first code (POST /api/auth/mfa/verify) completes it",
                ctx -> ctx.json(mfa.enrollAtLogin(Bodies.read(ctx, MfaTokenRequest.class).mfaToken(), clientAddress.of(ctx))));
        routes.get("/api/auth/mfa", Rule.role(Role.VIEWER), "The signed-in user's MFA state", ctx ->
                ctx.json(mfa.status(Access.principal(ctx))));
        routes.post("/api/auth/mfa/totp/enroll", Rule.role(Role.VIEWER).requireSession(),
                "Start TOTP enrolment (body: {\"password\"}): secret, otpauth:// URI and QR code; confirm with a code", ctx ->
                        ctx.json(mfa.enroll(Access.principal(ctx), Bodies.read(ctx, PasswordRequest.class).password(), clientAddress.of(ctx))));
        routes.post("/api/auth/mfa/totp/confirm", Rule.role(Role.VIEWER).requireSession(),
                "Activate TOTP with a current code; returns the recovery codes, once", ctx ->
                        ctx.json(mfa.confirm(Access.principal(ctx), Bodies.read(ctx, CodeRequest.class).code())));
        routes.delete("/api/auth/mfa/totp", Rule.role(Role.VIEWER).requireSession(), "Turn TOTP off (password and a current code)", ctx -> {
            mfa.disable(Access.principal(ctx), Bodies.read(ctx, DisableRequest.class), clientAddress.of(ctx));
            ctx.status(204);
        });
        routes.delete("/api/users/{id}/mfa", Rule.role(Role.ADMIN).requireSession(), "Remove a user's MFA (lost authenticator); they enrol again", ctx -> {
            mfa.reset(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
        routes.get("/api/settings/mfa", Rule.role(Role.ADMIN), "Which roles must use MFA", ctx -> ctx.json(mfa.policy()));
        routes.put("/api/settings/mfa", Rule.role(Role.ADMIN).requireSession(), "Require MFA for roles ({\"required_roles\":[...]})", ctx ->
                ctx.json(mfa.setPolicy(Access.principal(ctx), Bodies.read(ctx, Policy.class))));
    }
}
