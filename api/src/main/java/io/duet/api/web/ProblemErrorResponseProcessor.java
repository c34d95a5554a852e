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
        Problem problem =
                cause instanceof ProblemException known ? known.toProblem() : fromStatus(response.getStatus(), cause);
        if (cause instanceof ConstraintViolationException violations) {
            problem = problem.withErrors(invalidParams(violations));
        } else if (cause instanceof ConversionErrorException conversion) {
            problem = problem.withErrors(List.of(
                    new Problem.InvalidParam(conversion.getArgument().getName(), "has the wrong type or format")));
        }
        problem = problem.withRequestId(requestId(context.getRequest()));
        return response.status(problem.status()).contentType(Problem.MEDIA_TYPE).body(problem);
    }

    private static Problem fromStatus(HttpStatus status, Throwable cause) {
        if (status != HttpStatus.BAD_REQUEST) {
            return Problem.ofStatus(status);
        }
        if (cause instanceof ConstraintViolationException) {
            return Problem.of(
                    "validation-failed", "Invalid request", 400, "Some fields are missing or invalid; see errors.");
        }
        return isUnreadableBody(cause)
                ? Problem.of(
                        "malformed-body",
                        "Malformed request body",
                        400,
                        "The request body cannot be read as its Content-Type says (not valid JSON, a malformed form) "
                                + "or does not have the expected shape.")
                : Problem.ofStatus(status);
    }

    private static boolean isUnreadableBody(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.startsWith("io.micronaut.serde")
                    || name.startsWith("com.fasterxml.jackson")
                    || name.startsWith("io.micronaut.json")
                    || isMalformedForm(t)) {
                return true;
            }
        }
        return cause instanceof ConversionErrorException conversion
                && conversion.getArgument().getName().equals("body");
    }

    /**
     * A form body Netty's decoder could not read (a bad percent-escape such as {@code token=%ZZ}): the client's
     * error, which the framework lets through as an unexpected exception.
     */
    static boolean isMalformedForm(Throwable t) {
        // Only the decoder's own verdict on the text (a bad escape or charset: an IllegalArgumentException inside);
        // the same exception type also carries the decoder's I/O failures, which are ours and stay 500s.
        return t.getClass()
                        .getName()
                        .equals(
                                "io.netty.handler.codec.http.multipart.HttpPostRequestDecoder$ErrorDataDecoderException")
                && (t.getCause() == null || t.getCause() instanceof IllegalArgumentException);
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
