package io.duet.functions.lambda;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.env.Environment;
import io.micronaut.function.aws.MicronautLambdaContext;
import java.util.Map;

/**
 * How every Duet function builds its application context: the {@code function} and {@code lambda}
 * environments (so {@code application-lambda.yml} applies), no guessing from the call stack or the cloud
 * (in Lambda, Micronaut still adds {@code ec2} and {@code cloud} because {@code AWS_LAMBDA_FUNCTION_NAME} is
 * set; that only selects configuration files, none of which exist), and every singleton
 * created at init, where Lambda's init phase (or a SnapStart snapshot) pays for it instead of the first
 * request. {@code DUET_FUNCTION_LAZY_INIT=true} creates beans on first use instead, which the cold-start
 * benchmark compares.
 */
final class FunctionContext {
    static final String LAZY_INIT = "DUET_FUNCTION_LAZY_INIT";

    private FunctionContext() {}

    static ApplicationContextBuilder builder(Map<String, Object> properties) {
        boolean lazy = Boolean.parseBoolean(
                System.getenv().getOrDefault(LAZY_INIT, System.getProperty("duet.function.lazy-init", "false")));
        return ApplicationContext.builder()
                .environments(Environment.FUNCTION, MicronautLambdaContext.ENVIRONMENT_LAMBDA)
                .deduceEnvironment(false)
                .deduceCloudEnvironment(false)
                .banner(false)
                .eagerInitConfiguration(!lazy)
                .eagerInitSingletons(!lazy)
                .properties(properties);
    }
}
