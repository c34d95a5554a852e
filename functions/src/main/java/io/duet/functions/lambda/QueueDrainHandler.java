package io.duet.functions.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.duet.api.queue.QueueDrain;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A worker as a function: a scheduled invocation (an EventBridge rule, every minute for instance) works
 * one queue until it is empty or the invocation's time runs short, then puts back what it has not
 * finished. The event's content is ignored. Nothing runs after the handler returns.
 */
public abstract class QueueDrainHandler implements RequestHandler<Map<String, Object>, QueueDrain.Result> {
    private final String queue;
    private final ApplicationContext context;
    private final QueueDrain drain;
    private final Connections connections;
    private final FunctionConfig config;

    protected QueueDrainHandler(String queue) {
        this(queue, FunctionContext.builder(Map.of()).start());
    }

    QueueDrainHandler(String queue, ApplicationContext context) {
        this.queue = queue;
        this.context = context;
        this.drain = context.getBean(QueueDrain.class);
        this.connections = context.getBean(Connections.class);
        this.config = context.getBean(FunctionConfig.class);
    }

    @Override
    public QueueDrain.Result handleRequest(Map<String, Object> event, Context lambda) {
        connections.beforeInvocation();
        try {
            Duration margin = config.drainMargin();
            Instant deadline =
                    Instant.now().plusMillis(lambda.getRemainingTimeInMillis()).minus(margin);
            return drain.drain(queue, deadline, margin.dividedBy(2), config.drainConcurrency());
        } finally {
            connections.afterInvocation();
        }
    }

    ApplicationContext applicationContext() {
        return context;
    }
}
