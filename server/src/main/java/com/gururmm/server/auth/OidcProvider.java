package com.gururmm.server.auth;

import com.gururmm.server.config.OidcSettings;
import com.gururmm.server.http.ApiException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The OpenID Connect provider as GuruRMM's relying party sees it: its discovery document (read
 * once, at the first login, and again after a failed read, so the server starts while the provider
 * is away), the token endpoint, and the ID token checks of OpenID Connect Core 3.1.3.7 done by
 * Nimbus' {@link IDTokenValidator}: signature against the provider's JWKS (fetched and cached by
 * {@link JWKSourceBuilder}; a new key id is fetched when it appears), issuer, audience, expiry with
 * 60 s of clock skew, and nonce.
 */
final class OidcProvider {
    record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {
    }

    private final OidcSettings settings;
    private volatile Provider provider;

    OidcProvider(OidcSettings settings) {
        this.settings = settings;
    }

    URI authorizationEndpoint() {
        return provider().metadata().getAuthorizationEndpointURI();
    }

    /**
     * Trades the code for tokens at the token endpoint (with the PKCE verifier) and validates the ID
     * token; an {@link ApiException} (401 or 502, not yet audited) says why not.
     */
    IDTokenClaimsSet exchange(String code, OidcStore.Pending pending) {
        Provider p = provider();
        var grant = new AuthorizationCodeGrant(new AuthorizationCode(code), URI.create(pending.redirectUri()), new CodeVerifier(pending.codeVerifier()));
        URI tokenEndpoint = p.metadata().getTokenEndpointURI();
        ClientID clientId = new ClientID(settings.clientId());
        TokenRequest request = settings.clientSecret().isEmpty()
                ? new TokenRequest(tokenEndpoint, clientId, grant)
                : new TokenRequest(tokenEndpoint, new ClientSecretBasic(clientId, new Secret(settings.clientSecret())), grant);
        TokenResponse response;
        try {
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(5_000);
            http.setReadTimeout(10_000);
            com.nimbusds.oauth2.sdk.http.HTTPResponse answer = http.send();
            if (answer.indicatesSuccess()) {
                // Only the ID token is used, never the access token: its expires_in is not ours to judge, and a bad one
                // must not hide what the ID token's own checks (exp among them) say.
                net.minidev.json.JSONObject json = answer.getBodyAsJSONObject();
                json.remove("expires_in");
                response = OIDCTokenResponseParser.parse(json);
            } else {
                response = OIDCTokenResponseParser.parse(answer);
            }
        } catch (Exception e) {
            throw refusal(502, "The identity provider's token endpoint did not answer usably (" + clip(String.valueOf(e.getMessage())) + ").");
        }
        if (!response.indicatesSuccess()) {
            var err = response.toErrorResponse().getErrorObject();
            throw refusal(401, "The identity provider refused the code (" + clip(err.getCode() + (err.getDescription() == null ? "" : ": " + err.getDescription())) + ").");
        }
        JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
        if (idToken == null) {
            throw refusal(401, "The identity provider's answer has no ID token.");
        }
        try {
            IDTokenClaimsSet claims = p.validator().validate(idToken, new Nonce(pending.nonce()));
            if (claims.getSubject() == null || claims.getSubject().getValue().isBlank() || claims.getSubject().getValue().length() > 255) {
                throw refusal(401, "The ID token has no usable 'sub' claim.");
            }
            return claims;
        } catch (ApiException e) {
            throw e;
        } catch (Exception e) {
            // BadJOSEException: bad signature, wrong issuer or audience, expired, wrong nonce (its message says which).
            throw refusal(401, "The ID token was refused: " + clip(String.valueOf(e.getMessage())) + ".");
        }
    }

    /** The provider's metadata and an ID token validator, read once from its discovery document (retried at the next login on failure). */
    Provider provider() {
        Provider p = provider;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (provider != null) {
                return provider;
            }
            try {
                OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), 5_000, 10_000);
                Set<JWSAlgorithm> algs = new LinkedHashSet<>();
                if (metadata.getIDTokenJWSAlgs() != null) {
                    for (JWSAlgorithm alg : metadata.getIDTokenJWSAlgs()) {
                        // Asymmetric signatures only: never "none", never an HMAC keyed with the client secret.
                        if (JWSAlgorithm.Family.RSA.contains(alg) || JWSAlgorithm.Family.EC.contains(alg) || JWSAlgorithm.Family.ED.contains(alg)) {
                            algs.add(alg);
                        }
                    }
                }
                if (algs.isEmpty()) {
                    algs.add(JWSAlgorithm.RS256);
                }
                JWKSource<SecurityContext> keys = JWKSourceBuilder.create(metadata.getJWKSetURI().toURL()).retrying(true).build();
                IDTokenValidator validator = new IDTokenValidator(metadata.getIssuer(), new ClientID(settings.clientId()),
                        new JWSVerificationKeySelector<>(algs, keys), null);
                provider = new Provider(metadata, validator);
                return provider;
            } catch (Exception e) {
                throw new ApiException(503, "sso_unavailable", "The identity provider " + settings.issuer()
                        + " cannot be reached or its discovery document is unusable (" + clip(String.valueOf(e.getMessage())) + "); try again later.");
            }
        }
    }


    private static ApiException refusal(int status, String message) {
        return new ApiException(status, status == 401 ? "unauthorized" : "sso_provider_error", message);
    }

    static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
