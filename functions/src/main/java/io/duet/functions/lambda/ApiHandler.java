package io.duet.functions.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.proxy.payload2.APIGatewayV2HTTPEventFunction;
import java.util.Map;

/**
 * The whole Duet API behind an API Gateway HTTP API (payload format 2.0) or a function URL. Handler:
 * {@code io.duet.functions.lambda.ApiHandler::handleRequest}. The application context is built and
 * connected during Lambda's init phase; each invocation first checks its connections when the
 * environment was paused long enough to have been frozen.
 */
public class ApiHandler extends APIGatewayV2HTTPEventFunction {
    private final Connections connections;

    /** What Lambda calls: builds the context from the environment. */
    public ApiHandler() {
        super();
        this.connections = applicationContext.getBean(Connections.class);
    }

    /** For tests: serves from a context built with {@link #contextBuilder}. */
    ApiHandler(ApplicationContext context) {
        super(context);
        this.connections = applicationContext.getBean(Connections.class);
    }

    /** The context this function runs in, with {@code properties} on top of the configuration. */
    static ApplicationContextBuilder contextBuilder(Map<String, Object> properties) {
        return FunctionContext.builder(properties);
    }

    /** Properties that set this function apart from the others; none for the whole API. */
    protected Map<String, Object> functionProperties() {
        return Map.of();
    }

    @Override
    protected ApplicationContextBuilder newApplicationContextBuilder() {
        return FunctionContext.builder(functionProperties());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        connections.beforeInvocation();
        try {
            return super.handleRequest(event, context);
        } finally {
            connections.afterInvocation();
        }
    }
}
