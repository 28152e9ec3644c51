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
 * {@code alg: none} and tokens signed with any other algorithm or key are refused.
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
        this.verifier = JWT.require(algorithm).withIssuer(ISSUER).acceptLeeway(0).build();
    }

    public record Issued(String token, Instant expiresAt) {
    }

    public Issued issue(UUID userId, String email, Role role) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant expires = now.plus(LIFETIME);
        String token = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(userId.toString())
                .withClaim("email", email)
                .withClaim("role", role.wireName())
                .withIssuedAt(now)
                .withExpiresAt(expires)
                .withJWTId(UUID.randomUUID().toString())
                .sign(algorithm);
        return new Issued(token, expires);
    }

    /** The user id the token was issued to; a 401 for anything expired, forged or malformed. */
    public UUID verify(String token) {
        try {
            DecodedJWT jwt = verifier.verify(token);
            return UUID.fromString(jwt.getSubject());
        } catch (TokenExpiredException e) {
            throw ApiException.unauthorized("The session token has expired; log in again.");
        } catch (JWTVerificationException | IllegalArgumentException | NullPointerException e) {
            throw ApiException.unauthorized("The bearer token is not valid; log in again.");
        }
    }
}
