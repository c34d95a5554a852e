package io.duet.api.session;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.micronaut.core.annotation.Nullable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses to start a unit on secrets anyone could know. The key in {@code application.yml} is published
 * with the source and also keys verification codes: a deployment on it would let anyone mint access
 * tokens. So outside the local stack ({@code ./duet run}) and the tests, which set
 * {@code duet.security.development-secrets}, a unit stops at startup on that key, and everywhere on a key
 * shorter than 32 bytes or an ops token shorter than 32 characters (a blank ops token closes ops instead).
 * The message names the setting and how to make a good value; it never prints the value.
 */
@Context
final class SecretsCheck {
    /** The development key as {@code application.yml} ships it. */
    static final String PUBLISHED_KEY = "duet-local-development-secret-change-me-0123456789";

    static final int MIN_KEY_BYTES = 32;
    static final int MIN_OPS_TOKEN_CHARS = 32;

    SecretsCheck(
            JwtConfig jwt,
            @Nullable @Value("${duet.ops.token:}") String opsToken,
            @Value("${duet.security.development-secrets:false}") boolean developmentSecrets,
            Environment environment) {
        List<String> problems = problems(
                jwt,
                opsToken,
                developmentSecrets || environment.getActiveNames().contains(Environment.TEST));
        if (!problems.isEmpty()) {
            throw new InsecureSecretsException(String.join("; ", problems)
                    + ". Make one with: openssl rand -base64 48 (see docs/security.md, \"Rotating keys\")");
        }
    }

    static List<String> problems(JwtConfig jwt, @Nullable String opsToken, boolean developmentSecrets) {
        List<String> problems = new ArrayList<>();
        check(problems, "DUET_JWT_SECRET", jwt.secret(), developmentSecrets);
        if (jwt.previousSecret() != null && !jwt.previousSecret().isBlank()) {
            check(problems, "DUET_JWT_PREVIOUS_SECRET", jwt.previousSecret(), developmentSecrets);
        }
        if (!developmentSecrets
                && opsToken != null
                && !opsToken.isBlank()
                && opsToken.strip().length() < MIN_OPS_TOKEN_CHARS) {
            problems.add("DUET_OPS_TOKEN is shorter than " + MIN_OPS_TOKEN_CHARS + " characters");
        }
        return problems;
    }

    private static void check(List<String> problems, String name, String key, boolean developmentSecrets) {
        if (key.equals(PUBLISHED_KEY) && !developmentSecrets) {
            problems.add(
                    name
                            + " is the published development key from application.yml; only ./duet run and the tests may use it");
        } else if (key.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
            problems.add(name + " is shorter than " + MIN_KEY_BYTES + " bytes");
        }
    }

    /** Startup stops with this; its message is what ops read in the function's or the task's log. */
    static final class InsecureSecretsException extends IllegalStateException {
        InsecureSecretsException(String message) {
            super("Duet will not start: " + message);
        }
    }
}
