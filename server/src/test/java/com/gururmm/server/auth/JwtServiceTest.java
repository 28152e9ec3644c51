package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JwtServiceTest {
    private final byte[] key = Secrets.randomBytes(32);
    private final JwtService jwt = new JwtService(key, Clock.systemUTC());
    private final UUID user = UUID.randomUUID();
    private final Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    @Test
    void issuedTokensCarryEveryRequiredClaimAndVerify() {
        JwtService.Issued issued = jwt.issue(user, "a@example.test", Role.ADMIN);
        JwtService.Claims claims = jwt.verify(issued.token());
        assertThat(claims.userId()).isEqualTo(user);
        assertThat(claims.sessionId()).isEqualTo(issued.sessionId());
    }

    @Test
    void aTokenWithoutExpSignedWithTheRealKeyIsRefused() {
        String noExp = JWT.create().withIssuer("gururmm").withSubject(user.toString()).withIssuedAt(now)
                .withJWTId(UUID.randomUUID().toString()).sign(Algorithm.HMAC256(key));
        assertThatThrownBy(() -> jwt.verify(noExp)).isInstanceOf(ApiException.class);
    }

    @Test
    void tokensMissingJtiIatOrSubAreRefused() {
        Algorithm real = Algorithm.HMAC256(key);
        String noJti = JWT.create().withIssuer("gururmm").withSubject(user.toString()).withIssuedAt(now)
                .withExpiresAt(now.plusSeconds(60)).sign(real);
        String noIat = JWT.create().withIssuer("gururmm").withSubject(user.toString())
                .withExpiresAt(now.plusSeconds(60)).withJWTId("x").sign(real);
        String noSub = JWT.create().withIssuer("gururmm").withIssuedAt(now)
                .withExpiresAt(now.plusSeconds(60)).withJWTId("x").sign(real);
        for (String token : new String[] {noJti, noIat, noSub}) {
            assertThatThrownBy(() -> jwt.verify(token)).isInstanceOf(ApiException.class);
        }
        String complete = JWT.create().withIssuer("gururmm").withSubject(user.toString()).withIssuedAt(now)
                .withExpiresAt(now.plusSeconds(60)).withJWTId("x").sign(real);
        assertThat(jwt.verify(complete).sessionId()).as("the control").isEqualTo("x");
    }
}
