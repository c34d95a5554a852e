package io.duet.api.web;

import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Renders every error the server produces (ours and the framework's: unknown route, wrong method, bad
 * JSON, constraint violations, oversized bodies) as {@code application/problem+json} with a stable
 * {@code code}. Being an {@link ErrorResponseProcessor} bean, it replaces Micronaut's default JSON errors.
 */
@Singleton
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        Throwable cause = context.getRootCause().orElse(null);
        Problem problem = cause instanceof ProblemException known
                ? known.toProblem()
                : fromStatus(response.getStatus(), cause);
        if (cause instanceof ConstraintViolationException violations) {
            problem = problem.withErrors(invalidParams(violations));
        } else if (cause instanceof ConversionErrorException conversion) {
            problem = problem.withErrors(List.of(new Problem.InvalidParam(
                    conversion.getArgument().getName(), "has the wrong type or format")));
        }
        problem = problem.withRequestId(requestId(context.getRequest()));
        return response.status(problem.status()).contentType(Problem.MEDIA_TYPE).body(problem);
    }

    private static Problem fromStatus(HttpStatus status, Throwable cause) {
        return switch (status) {
            case BAD_REQUEST -> cause instanceof ConstraintViolationException
                    ? Problem.of("validation-failed", "Invalid request", 400,
                            "Some fields are missing or invalid; see errors.")
                    : isUnreadableBody(cause)
                            ? Problem.of("malformed-body", "Malformed request body", 400,
                                    "The request body is not valid JSON or does not have the expected shape.")
                            : Problem.of("bad-request", "Bad request", 400,
                                    "The request has a missing or malformed parameter.");
            case UNAUTHORIZED -> Problem.of("unauthorized", "Unauthorized", 401,
                    "Send a valid bearer token in the Authorization header.");
            case FORBIDDEN -> Problem.of("forbidden", "Forbidden", 403, "You may not do this.");
            case NOT_FOUND -> Problem.of("not-found", "Not found", 404, "Nothing is served at this path.");
            case METHOD_NOT_ALLOWED -> Problem.of("method-not-allowed", "Method not allowed", 405,
                    "This path does not accept this HTTP method.");
            case NOT_ACCEPTABLE -> Problem.of("not-acceptable", "Not acceptable", 406,
                    "This resource is only available as application/json.");
            case REQUEST_ENTITY_TOO_LARGE -> Problem.of("payload-too-large", "Payload too large", 413,
                    "The request body is larger than this endpoint accepts.");
            case UNSUPPORTED_MEDIA_TYPE -> Problem.of("unsupported-media-type", "Unsupported media type", 415,
                    "Send the body as application/json.");
            case SERVICE_UNAVAILABLE -> Problem.of("service-overloaded", "Service overloaded", 503,
                    "The service is busy. Try again in a few seconds.");
            default -> status.getCode() >= 500
                    ? Problem.of("internal-error", "Internal error", status.getCode(), null)
                    : Problem.of("client-error", status.getReason(), status.getCode(), null);
        };
    }

    private static boolean isUnreadableBody(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.startsWith("io.micronaut.serde") || name.startsWith("com.fasterxml.jackson")
                    || name.startsWith("io.micronaut.json")) {
                return true;
            }
        }
        return cause instanceof ConversionErrorException conversion && conversion.getArgument().getName().equals("body");
    }

    private static List<Problem.InvalidParam> invalidParams(ConstraintViolationException exception) {
        List<Problem.InvalidParam> params = new ArrayList<>();
        for (ConstraintViolation<?> violation : exception.getConstraintViolations()) {
            params.add(new Problem.InvalidParam(field(violation.getPropertyPath()), violation.getMessage()));
        }
        params.sort(Comparator.comparing(Problem.InvalidParam::field).thenComparing(Problem.InvalidParam::reason));
        return params;
    }

    /** {@code join.request.code} becomes {@code code}; a plain parameter keeps its own name. */
    private static String field(Path path) {
        StringBuilder property = new StringBuilder();
        String parameter = null;
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.getName();
            } else if (node.getKind() == ElementKind.PROPERTY || node.getKind() == ElementKind.CONTAINER_ELEMENT) {
                if (!property.isEmpty()) {
                    property.append('.');
                }
                property.append(node.getName());
            }
        }
        if (!property.isEmpty()) {
            return property.toString();
        }
        return parameter != null ? parameter : path.toString();
    }

    private static String requestId(HttpRequest<?> request) {
        return request.getAttribute(RequestIdFilter.ATTRIBUTE, String.class).orElse(null);
    }
}
