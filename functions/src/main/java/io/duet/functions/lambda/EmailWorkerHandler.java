package io.duet.functions.lambda;

import io.micronaut.context.ApplicationContext;

/** Sends verification emails and notices (queue {@code email}). Handler: {@code io.duet.functions.lambda.EmailWorkerHandler::handleRequest}. */
public class EmailWorkerHandler extends QueueDrainHandler {
    static final String QUEUE = "email";

    public EmailWorkerHandler() {
        super(QUEUE);
    }

    EmailWorkerHandler(ApplicationContext context) {
        super(QUEUE, context);
    }
}
