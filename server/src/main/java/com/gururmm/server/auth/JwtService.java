package com.gururmm.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Issues and checks the session JWTs of {@code POST /api/auth/login}: HS256, 24 h lifetime
 * ({@code exp = iat + 86400}, SPEC section 3). The verifier is pinned to HS256 with our key, so
 * {@code alg: none} and tokens signed with any other algorithm or key are refused. Every token
 * must carry {@code sub}, {@code iat}, {@code exp} and {@code jti}: a token without {@code exp}
 * would otherwise never expire, and the {@code jti} names its row in {@code sessions}, which is
 * what makes it revocable ({@link SessionStore}).
 */
public final class JwtService {
    public static final Duration LIFETIME = Duration.ofHours(24);
    private static final String ISSUER = "gururmm";

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Clock clock;

    public JwtService(byte[] key, Clock clock) {
        this.algorithm = Algorithm.HMAC256(key);
        this.clock = clock;
        this.verifier = JWT.require(algorithm).withIssuer(ISSUER).acceptLeeway(0)
                .withClaimPresence("sub").withClaimPresence("iat").withClaimPresence("exp").withClaimPresence("jti")
                .build();
    }

    public record Issued(String token, String sessionId, Instant issuedAt, Instant expiresAt) {
    }

    /** What a verified token says: whose it is and which session it belongs to. */
    public record Claims(UUID userId, String sessionId) {
    }

    public Issued issue(UUID userId, String email, Role role) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant expires = now.plus(LIFETIME);
        String jti = UUID.randomUUID().toString();
        String token = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(userId.toString())
                .withClaim("email", email)
                .withClaim("role", role.wireName())
                .withIssuedAt(now)
                .withExpiresAt(expires)
                .withJWTId(jti)
                .sign(algorithm);
        return new Issued(token, jti, now, expires);
    }

    /** Whose the token is; a 401 for anything expired, forged, malformed or missing a required claim. */
    public Claims verify(String token) {
        try {
            DecodedJWT jwt = verifier.verify(token);
            String jti = jwt.getId();
            if (jti.isBlank() || jti.length() > 64) {
                throw new IllegalArgumentException("bad jti");
            }
            return new Claims(UUID.fromString(jwt.getSubject()), jti);
        } catch (TokenExpiredException e) {
            throw ApiException.unauthorized("The session token has expired; log in again.");
        } catch (JWTVerificationException | IllegalArgumentException | NullPointerException e) {
            throw ApiException.unauthorized("The bearer token is not valid; log in again.");
        }
    }
}
