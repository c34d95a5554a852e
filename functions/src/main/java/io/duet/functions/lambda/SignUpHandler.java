package io.duet.functions.lambda;

import io.micronaut.context.ApplicationContext;
import java.util.Map;

/**
 * The signup function: the same application as {@link ApiHandler}, serving only {@code /v1/accounts}
 * and below (signup, verification, resend); every other path answers 404 problem+json. A separate
 * function so that a promotion can give signup its own reserved or provisioned concurrency. Handler:
 * {@code io.duet.functions.lambda.SignUpHandler::handleRequest}.
 */
public class SignUpHandler extends ApiHandler {
    static final Map<String, Object> PROPERTIES = Map.of("duet.http.served-paths", "/v1/accounts");

    public SignUpHandler() {
        super();
    }

    /** For tests: the context must carry {@link #PROPERTIES}. */
    SignUpHandler(ApplicationContext context) {
        super(context);
    }

    @Override
    protected Map<String, Object> functionProperties() {
        return PROPERTIES;
    }
}
