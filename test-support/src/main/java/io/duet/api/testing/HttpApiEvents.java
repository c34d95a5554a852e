package io.duet.api.testing;

import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * API Gateway HTTP API events (payload format 2.0) as JSON, the way API Gateway sends them to a function:
 * for the functions' tests and the cold-start benchmark. (The functions' tests turn that JSON into event
 * objects with the Lambda runtime's own serializers.)
 */
public final class HttpApiEvents {
    private static final ObjectMapper JSON = ObjectMapper.getDefault();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private HttpApiEvents() {}

    /** The JSON of a request: {@code pathAndQuery} may carry a query string; {@code body} may be null. */
    public static String json(String method, String pathAndQuery, Map<String, String> headers, String body) {
        return json(method, pathAndQuery, headers, body, "203.0.113.7");
    }

    /** The same from a given client address, as API Gateway reports it (sourceIp and X-Forwarded-For). */
    public static String json(
            String method, String pathAndQuery, Map<String, String> headers, String body, String sourceIp) {
        String path = pathAndQuery;
        String query = "";
        int mark = pathAndQuery.indexOf('?');
        if (mark >= 0) {
            path = pathAndQuery.substring(0, mark);
            query = pathAndQuery.substring(mark + 1);
        }
        Instant now = Instant.now();
        Map<String, String> allHeaders = new LinkedHashMap<>();
        allHeaders.put("accept", "application/json");
        allHeaders.put(
                "content-length", Integer.toString(body == null ? 0 : body.getBytes(StandardCharsets.UTF_8).length));
        allHeaders.put("host", "abc123.execute-api.eu-west-1.amazonaws.com");
        allHeaders.put("user-agent", "Duet/1.0 (iPhone; iOS 18.1)");
        allHeaders.put(
                "x-amzn-trace-id",
                "Root=1-" + Long.toHexString(now.getEpochSecond()) + "-"
                        + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
        allHeaders.put("x-forwarded-for", sourceIp);
        allHeaders.put("x-forwarded-port", "443");
        allHeaders.put("x-forwarded-proto", "https");
        headers.forEach((name, value) -> allHeaders.put(name.toLowerCase(Locale.ROOT), value));
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", sourceIp);
        http.put("userAgent", allHeaders.get("user-agent"));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", "123456789012");
        context.put("apiId", "abc123");
        context.put("domainName", "abc123.execute-api.eu-west-1.amazonaws.com");
        context.put("domainPrefix", "abc123");
        context.put("http", http);
        context.put("requestId", UUID.randomUUID().toString().substring(0, 16) + "=");
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("time", REQUEST_TIME.format(now));
        context.put("timeEpoch", now.toEpochMilli());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", path);
        event.put("rawQueryString", query);
        event.put("headers", allHeaders);
        if (!query.isEmpty()) {
            Map<String, String> parameters = new LinkedHashMap<>();
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                parameters.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
            event.put("queryStringParameters", parameters);
        }
        event.put("requestContext", context);
        if (body != null) {
            event.put("body", body);
        }
        event.put("isBase64Encoded", false);
        try {
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request with a binary body: API Gateway sends it base64-encoded with {@code isBase64Encoded}. */
    public static String binaryJson(String method, String pathAndQuery, Map<String, String> headers, byte[] body) {
        Map<String, Object> event = parse(json(
                method, pathAndQuery, headers, java.util.Base64.getEncoder().encodeToString(body)));
        @SuppressWarnings("unchecked")
        Map<String, Object> allHeaders = (Map<String, Object>) event.get("headers");
        allHeaders.put("content-length", Integer.toString(body.length));
        event.put("isBase64Encoded", true);
        try {
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String body(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}
