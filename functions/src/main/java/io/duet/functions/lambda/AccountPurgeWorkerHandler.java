package io.duet.functions.lambda;

import io.micronaut.context.ApplicationContext;

/**
 * Removes everything of deleted accounts (queue {@code account-purge}). Handler:
 * {@code io.duet.functions.lambda.AccountPurgeWorkerHandler::handleRequest}.
 */
public class AccountPurgeWorkerHandler extends QueueDrainHandler {
    static final String QUEUE = "account-purge";

    public AccountPurgeWorkerHandler() {
        super(QUEUE);
    }

    AccountPurgeWorkerHandler(ApplicationContext context) {
        super(QUEUE, context);
    }
}
