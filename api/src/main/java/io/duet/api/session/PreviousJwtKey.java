package io.duet.api.session;

import com.nimbusds.jose.JWSAlgorithm;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import io.micronaut.security.token.jwt.signature.secret.SecretSignature;
import io.micronaut.security.token.jwt.signature.secret.SecretSignatureConfiguration;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * During a key rotation, tokens signed with the previous key stay valid until they expire: a second
 * signature that verifies but never signs (only the {@code generator} signature signs).
 */
@Factory
final class PreviousJwtKey {

    @Singleton
    @Named("previous")
    @Requires(property = "duet.jwt.previous-secret", pattern = ".+")
    SignatureConfiguration previousKey(JwtConfig config) {
        SecretSignatureConfiguration previous = new SecretSignatureConfiguration("previous");
        previous.setSecret(config.previousSecret());
        previous.setJwsAlgorithm(JWSAlgorithm.HS256);
        return new SecretSignature(previous);
    }
}
