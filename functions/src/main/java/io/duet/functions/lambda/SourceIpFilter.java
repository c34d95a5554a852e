package io.duet.functions.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.duet.api.web.ClientAddress;
import io.micronaut.core.order.Ordered;
import io.micronaut.function.aws.proxy.ApiGatewayServletRequest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.net.InetAddress;

/**
 * Gives {@link ClientAddress} the caller's address that API Gateway saw ({@code requestContext.http.sourceIp}
 * of a payload 2.0 event). Inside Lambda there is no socket to the client: without this, every caller of
 * a function would share one rate-limit bucket (the server's own address). The trusted-proxy rules still
 * apply on top: {@code X-Forwarded-For} counts only when the source address is a configured proxy.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class SourceIpFilter implements Ordered {

    @RequestFilter
    void sourceIp(HttpRequest<?> request) {
        if (request instanceof ApiGatewayServletRequest<?, ?, ?> gateway
                && gateway.getNativeRequest() instanceof APIGatewayV2HTTPEvent event
                && event.getRequestContext() != null
                && event.getRequestContext().getHttp() != null) {
            InetAddress source = literal(event.getRequestContext().getHttp().getSourceIp());
            if (source != null) {
                request.setAttribute(ClientAddress.PEER_ATTRIBUTE, source);
            }
        }
    }

    /** API Gateway writes a literal address; anything else is ignored, never looked up. */
    private static InetAddress literal(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(text.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }
}
