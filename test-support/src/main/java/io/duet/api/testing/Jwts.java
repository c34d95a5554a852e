package io.duet.api.testing;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Hand-made access tokens for tests of expired and wrongly signed tokens, and for people made straight
 * in the database. They name no session ({@code sid}): a session is a sign-in's refresh-token family, and
 * a token naming one that does not exist is refused as revoked (see RevokedSessions).
 */
public final class Jwts {
    private Jwts() {}

    public static String hs256(String secret, UUID subject, long expiresInSeconds) throws Exception {
        return hs256(secret, subject, null, expiresInSeconds);
    }

    /** A token of the sign-in {@code session} (a refresh-token family id), as the API issues them. */
    public static String hs256(String secret, UUID subject, UUID session, long expiresInSeconds) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject.toString())
                .issueTime(Date.from(now.minusSeconds(120)))
                .expirationTime(Date.from(now.plusSeconds(expiresInSeconds)));
        if (session != null) {
            claims.claim("sid", session.toString());
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
