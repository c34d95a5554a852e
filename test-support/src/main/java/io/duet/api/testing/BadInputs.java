package io.duet.api.testing;

import io.micronaut.serde.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.yaml.snakeyaml.Yaml;

/**
 * Bad input for every operation of Duet's OpenAPI document, and the judge of the answers: each operation's valid
 * request with one thing broken at a time (each JSON body field as every wrong JSON type, too long, with a NUL or a
 * lone surrogate; malformed and hostile bodies; each query and path parameter out of range or not what it names;
 * the wrong content type; broken tokens). The sweeps send the tries over their own transport (HTTP to a started
 * server, API Gateway events to the API function) and fail on what {@link #verdict} finds.
 */
public final class BadInputs {
    private final Map<String, Object> document;
    private final ObjectMapper json;
    private final boolean headLimits;

    /**
     * @param yaml the OpenAPI document
     * @param headLimits whether to try a request head past the HTTP server's limits (not through API Gateway, which
     *     refuses it before the function)
     */
    public BadInputs(String yaml, ObjectMapper json, boolean headLimits) {
        this.document = new Yaml().load(yaml);
        this.json = json;
        this.headLimits = headLimits;
    }

    /** Who sends an operation's tries: a bearer token (null for public calls) and a queue name of the sweep's own. */
    public record Caller(String token, String queue) {
        /**
         * Who sends an operation's tries: the ops token for {@code /ops}, nobody for a public call, else a member of
         * a couple made for it (so couple endpoints get past "not paired" to their own checks).
         */
        public static Caller of(Operation operation, String opsToken, java.util.concurrent.Callable<String> paired)
                throws Exception {
            String queue = "sweep-" + UUID.randomUUID().toString().substring(0, 8);
            if (operation.path().startsWith("/ops")) {
                return new Caller(opsToken, queue);
            }
            return new Caller(operation.authenticated() ? paired.call() : null, queue);
        }
    }

    /** A try's expected status when it must be refused (any 4xx problem document) but no one status is due. */
    public static final int REFUSED = -1;

    /**
     * One try: what is broken, the request, and the status it must get (0: any answer but a 5xx, a 4xx as a problem
     * document; {@link #REFUSED}: a 4xx problem document).
     *
     * @param query without the {@code ?}; empty for none
     */
    public record Try(
            String what,
            String method,
            String path,
            String query,
            Map<String, String> headers,
            byte[] body,
            int expectStatus) {
        Try expecting(int status) {
            return new Try(what, method, path, query, headers, body, status);
        }
    }

    /** Collects one operation's answers and fails with every wrong one listed. */
    public static final class Judge {
        private final Operation operation;
        private final List<Try> tries;
        private final List<String> wrong = new ArrayList<>();
        private int pastAuthentication;

        public Judge(Operation operation, List<Try> tries) {
            this.operation = operation;
            this.tries = tries;
        }

        public void answered(Try t, int status, String type, String body) {
            String verdict = verdict(operation, t, status, type, body);
            if (verdict != null) {
                wrong.add(t.what() + " → " + verdict);
            }
            if (t.expectStatus() <= 0 && status != 401) {
                pastAuthentication++;
            }
        }

        public void unanswered(Try t, String why) {
            wrong.add(t.what() + " → " + why);
        }

        /**
         * Fails listing every wrong answer; also when no try with a valid token got past authentication (a sweep whose
         * caller the server does not know tests only the token check).
         */
        public void verify() {
            boolean withValidToken = tries.stream().anyMatch(t -> t.expectStatus() <= 0);
            org.junit.jupiter.api.Assertions.assertTrue(
                    wrong.isEmpty(),
                    operation.id() + ": " + wrong.size() + " of " + tries.size() + "\n  " + String.join("\n  ", wrong));
            org.junit.jupiter.api.Assertions.assertTrue(
                    !withValidToken || pastAuthentication > 0,
                    operation.id() + ": every try was refused as unauthenticated");
        }
    }

    /**
     * Null when an answer is what bad input must get: no 5xx, the expected status when a try names one, and every
     * 4xx a problem document with a code (or the page an operation is documented to answer).
     */
    static String verdict(Operation operation, Try t, int status, String type, String body) {
        if (status >= 500) {
            return status + " " + abbreviate(body);
        }
        if (t.expectStatus() == REFUSED && status < 400) {
            return status + " where it must be refused: " + abbreviate(body);
        }
        if (t.expectStatus() > 0 && status != t.expectStatus()) {
            return status + " where " + t.expectStatus() + " was due: " + abbreviate(body);
        }
        if (status >= 400 && !type.startsWith("application/problem+json")) {
            if (type.startsWith("text/html") && operation.answersHtml()) {
                return null;
            }
            return status + " as " + type + ", not a problem document: " + abbreviate(body);
        }
        if (status >= 400 && !body.contains("\"code\":")) {
            return status + " problem without a code: " + abbreviate(body);
        }
        return null;
    }

    /** The tries for one operation: its valid request with one thing broken at a time. */
    public List<Try> tries(Operation operation, Caller caller) throws Exception {
        Map<String, String> path = new LinkedHashMap<>();
        Map<String, String> query = new LinkedHashMap<>();
        List<String> headerNames = new ArrayList<>();
        for (Map<String, Object> parameter : operation.parameters()) {
            String name = (String) parameter.get("name");
            switch ((String) parameter.get("in")) {
                case "path" -> path.put(name, validPathValue(name, caller));
                case "query" -> query.put(name, validQueryValue(name, schemaOf(parameter)));
                case "header" -> headerNames.add(name);
                default -> {}
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (caller.token() != null) {
            headers.put("Authorization", "Bearer " + caller.token());
        }
        Map<String, Object> bodySchema = operation.jsonBodySchema();
        Map<String, Object> validBody = bodySchema == null ? null : validBody(bodySchema);
        // The valid body, written once: every try but the body's own sends it.
        byte[] validBytes = null;
        String validType = null;
        if (validBody != null) {
            validBytes = json.writeValueAsBytes(validBody);
            validType = "application/json";
        } else if (operation.formBody()) {
            validBytes = "token=abc".getBytes(StandardCharsets.UTF_8);
            validType = "application/x-www-form-urlencoded";
        } else if (operation.rawBody()) {
            validBytes = new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
            validType = "image/jpeg";
        }
        Base base = new Base(path, query, headers, validBytes, validType, operation);
        List<Try> tries = new ArrayList<>();

        for (String name : path.keySet()) {
            for (String bad : List.of("not-a-uuid", "%00", "..%2F..%2Fetc", "x".repeat(3000), "%C0%AF", "-1")) {
                tries.add(base.withPath(name, bad, "path " + name + "=" + abbreviate(bad)));
            }
        }
        for (String name : query.keySet()) {
            for (String bad : List.of("", "abc", "-1", "0", "99999999999999999999", "1.5", "%00", "x".repeat(5000))) {
                tries.add(base.withQuery(name, bad, "query " + name + "=" + abbreviate(bad)));
            }
        }
        if (headerNames.contains("Idempotency-Key")) {
            // At most 255 characters: longer is a validation problem before anything else is looked at.
            tries.add(base.withHeader("Idempotency-Key", "", "an empty Idempotency-Key"));
            tries.add(base.withHeader("Idempotency-Key", "k".repeat(300), "an Idempotency-Key of 300 characters")
                    .expecting(400));
        }
        if (validBody != null) {
            for (String raw : List.of(
                    "",
                    "{",
                    "[]",
                    "null",
                    "\"text\"",
                    "42",
                    "{\"a\":}",
                    "{\"a\":1,}",
                    "[".repeat(5000) + "]".repeat(5000))) {
                tries.add(base.withRawBody(raw, "application/json", "body " + abbreviate(raw)));
            }
            tries.add(base.withRawBody(json.writeValueAsString(validBody), "text/plain", "a JSON body as text/plain"));
            tries.add(base.withRawBody("\u00ff\u00fe{", "application/json", "a body that is not UTF-8 JSON"));
            for (String field : validBody.keySet()) {
                List<String> bads = new ArrayList<>(badValues());
                // Text that PostgreSQL cannot store (a NUL) or that is not Unicode (a lone surrogate), inside a
                // value the field takes otherwise: refused in every field but a password (hashed, never stored).
                List<String> neverValid = new ArrayList<>();
                if (validBody.get(field) instanceof String valid
                        && !field.toLowerCase(java.util.Locale.ROOT).contains("password")) {
                    String quoted = json.writeValueAsString(valid);
                    int middle = quoted.length() / 2;
                    for (String escape : List.of("\\u0000", "\\ud800")) {
                        neverValid.add(quoted.substring(0, middle) + escape + quoted.substring(middle));
                    }
                    bads.addAll(neverValid);
                }
                for (String bad : bads) {
                    Map<String, Object> changed = new LinkedHashMap<>(validBody);
                    changed.put(field, RAW);
                    String marked = json.writeValueAsString(changed);
                    String text = marked.replace("\"" + RAW + "\"", bad);
                    if (text.equals(marked)) {
                        throw new IllegalStateException("the marker was not written as a plain string: " + marked);
                    }
                    Try t = base.withRawBody(text, "application/json", "field " + field + " = " + abbreviate(bad));
                    tries.add(neverValid.contains(bad) ? t.expecting(REFUSED) : t);
                }
                if (validBody.get(field) instanceof String valid) {
                    // Bytes that are not UTF-8 inside a value the field takes otherwise (decoded leniently, they would
                    // be stored as U+FFFD): refused in every field, a password too.
                    Map<String, Object> changed = new LinkedHashMap<>(validBody);
                    changed.put(
                            field, valid.substring(0, valid.length() / 2) + RAW + valid.substring(valid.length() / 2));
                    tries.add(base.withBytes(
                                    notUtf8(json.writeValueAsString(changed)),
                                    "application/json",
                                    "field " + field + " with bytes that are not UTF-8")
                            .expecting(REFUSED));
                }
                Map<String, Object> without = new LinkedHashMap<>(validBody);
                without.remove(field);
                tries.add(base.withRawBody(json.writeValueAsString(without), "application/json", "without " + field));
            }
        }
        if (operation.formBody()) {
            for (String raw :
                    List.of("", "token=", "token=%ZZ", "=&&=", "token=" + "a".repeat(100_000), "{\"token\":1}")) {
                tries.add(base.withRawBody(raw, "application/x-www-form-urlencoded", "form " + abbreviate(raw)));
            }
            tries.add(base.withRawBody("token=abc", "application/json", "a form body as JSON"));
        }
        if (operation.rawBody()) {
            byte[] random = new byte[1000];
            new java.util.Random(7).nextBytes(random);
            tries.add(base.withBytes(new byte[0], "image/jpeg", "an empty image"));
            tries.add(base.withBytes(new byte[] {(byte) 0xFF}, "image/jpeg", "one byte"));
            tries.add(base.withBytes(
                    new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, "image/jpeg", "a JPEG marker only"));
            tries.add(base.withBytes(random, "image/png", "random bytes"));
            tries.add(base.withBytes(
                    new byte[] {
                        (byte) 0x89,
                        'P',
                        'N',
                        'G',
                        '\r',
                        '\n',
                        0x1A,
                        '\n',
                        0,
                        0,
                        0,
                        13,
                        'I',
                        'H',
                        'D',
                        'R',
                        (byte) 0xFF,
                        (byte) 0xFF,
                        (byte) 0xFF,
                        (byte) 0xFF,
                        (byte) 0xFF,
                        (byte) 0xFF,
                        (byte) 0xFF,
                        (byte) 0xFF,
                        8,
                        2,
                        0,
                        0,
                        0
                    },
                    "image/png",
                    "a PNG header of 2^32-1 pixels a side"));
        }
        if (operation.authenticated()) {
            for (String bad : List.of("Bearer not.a.jwt", "Basic Zm9vOmJhcg==", "Bearer ")) {
                Try t = base.withHeader("Authorization", bad, "Authorization " + abbreviate(bad));
                tries.add(t.expecting(401));
            }
            if (headLimits) {
                // Past the server's header limit (8 KB): refused before any route. The API module's own server answers
                // 413 (the framework's status for it); a node with the realtime module answers 431. A problem either
                // way.
                tries.add(base.withHeader(
                        "Authorization", "Bearer " + "a".repeat(10_000), "a 10 KB Authorization header"));
            }
        }
        return tries;
    }

    /** A string no valid body holds, written where a bad value goes and then replaced by its JSON text. */
    private static final String RAW = "duet-sweep-marker-7f3a9c";

    /**
     * Wrong values for a JSON field, as the JSON text that replaces it: every other JSON type, numbers past what a
     * long or a double holds, blank, too long, not a UUID, markup.
     */
    private static List<String> badValues() {
        return List.of(
                "null",
                "12345",
                "-1",
                "1e400",
                "9223372036854775808",
                "1.5",
                "true",
                "{}",
                "[]",
                "[\"a\"]",
                "\"\"",
                "\" \"",
                "\"" + "x".repeat(100_000) + "\"",
                "\"not-a-uuid\"",
                "\"<script>alert(1)</script>\"");
    }

    private static Map<String, Object> schemaOf(Map<String, Object> parameter) {
        @SuppressWarnings("unchecked")
        Map<String, Object> schema = (Map<String, Object>) parameter.getOrDefault("schema", Map.of());
        return schema;
    }

    private String validPathValue(String name, Caller caller) {
        return switch (name) {
            case "name" -> caller.queue();
            case "variant" -> "320";
            default -> UUID.randomUUID().toString();
        };
    }

    private static String validQueryValue(String name, Map<String, Object> schema) {
        if (schema.get("enum") instanceof List<?> values && !values.isEmpty()) {
            return String.valueOf(values.getFirst());
        }
        return switch (name) {
            case "kind" -> "photo";
            case "by" -> "total";
            default -> "integer".equals(schema.get("type")) ? "1" : "x";
        };
    }

    /** A body the operation would take: each property its documented example, or a plausible value of its type. */
    private Map<String, Object> validBody(Map<String, Object> schema) {
        Map<String, Object> resolved = resolve(schema);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> properties =
                (Map<String, Map<String, Object>>) resolved.getOrDefault("properties", Map.of());
        Map<String, Object> body = new LinkedHashMap<>();
        properties.forEach((name, property) -> body.put(name, validValue(name, resolve(property))));
        return body;
    }

    private Object validValue(String name, Map<String, Object> schema) {
        if (schema.get("enum") instanceof List<?> values && !values.isEmpty()) {
            return values.getFirst();
        }
        String type = String.valueOf(schema.get("type"));
        String format = String.valueOf(schema.get("format"));
        // The document's example is a value the operation takes (a locale, a code's shape), except for ids (a fresh
        // one, so tries never meet an earlier request's) and passwords (examples are common words, refused).
        boolean secret = name.toLowerCase(java.util.Locale.ROOT).contains("password");
        if (schema.containsKey("example") && !format.equals("uuid") && !secret) {
            return schema.get("example");
        }
        return switch (type) {
            case "integer", "number" -> 1;
            case "boolean" -> true;
            case "array" -> List.of();
            case "object" -> validBody(schema);
            default ->
                switch (format) {
                    case "email" -> "sweep-" + UUID.randomUUID() + "@example.com";
                    case "uuid" -> UUID.randomUUID().toString();
                    default ->
                        name.toLowerCase(java.util.Locale.ROOT).contains("password")
                                ? "sweeping-past-" + UUID.randomUUID()
                                : "Sweep";
                };
        };
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> resolve(Map<String, Object> schema) {
        Object ref = schema.get("$ref");
        if (ref instanceof String pointer && pointer.startsWith("#/components/schemas/")) {
            Map<String, Object> components = (Map<String, Object>) document.get("components");
            Map<String, Object> schemas = (Map<String, Object>) components.get("schemas");
            return resolve((Map<String, Object>) schemas.get(pointer.substring("#/components/schemas/".length())));
        }
        if (schema.get("allOf") instanceof List<?> parts) {
            Map<String, Object> merged = new LinkedHashMap<>();
            Map<String, Object> properties = new LinkedHashMap<>();
            for (Object part : parts) {
                Map<String, Object> one = resolve((Map<String, Object>) part);
                merged.putAll(one);
                properties.putAll((Map<String, Object>) one.getOrDefault("properties", Map.of()));
            }
            merged.put("properties", properties);
            return merged;
        }
        return schema;
    }

    @SuppressWarnings("unchecked")
    public List<Operation> operations() {
        List<Operation> found = new ArrayList<>();
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) document.get("paths");
        paths.forEach((path, item) -> item.forEach((method, value) -> {
            if (!(value instanceof Map<?, ?> operation) || method.equals("parameters")) {
                return;
            }
            found.add(new Operation(method.toUpperCase(java.util.Locale.ROOT), path, (Map<String, Object>) operation));
        }));
        return found;
    }

    /** The text's UTF-8 with the marker replaced by a lead byte and "(": two bytes that are not UTF-8. */
    private static byte[] notUtf8(String text) {
        int at = text.indexOf(RAW);
        if (at < 0) {
            throw new IllegalStateException("the marker was not written as a plain string: " + text);
        }
        byte[] before = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] after = text.substring(at + RAW.length()).getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[before.length + 2 + after.length];
        System.arraycopy(before, 0, bytes, 0, before.length);
        bytes[before.length] = (byte) 0xc3;
        bytes[before.length + 1] = (byte) 0x28;
        System.arraycopy(after, 0, bytes, before.length + 2, after.length);
        return bytes;
    }

    public static String abbreviate(String text) {
        String flat = text.replace("\n", " ");
        return flat.length() <= 80 ? flat : flat.substring(0, 77) + "…(" + flat.length() + ")";
    }

    /** One operation of the document and what it takes. */
    public record Operation(String method, String path, Map<String, Object> spec) {
        public String id() {
            return method + " " + path;
        }

        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> parameters() {
            return (List<Map<String, Object>>) spec.getOrDefault("parameters", List.of());
        }

        /** Every operation but the public ones: those say {@code security: []} or are the account and session calls. */
        public boolean authenticated() {
            if (path.startsWith("/ops")) {
                return true;
            }
            return !(path.equals("/metrics")
                    || path.startsWith("/v1/accounts")
                    || path.equals("/v1/sessions")
                    || path.equals("/v1/sessions/refresh"));
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> content() {
            Map<String, Object> body = (Map<String, Object>) spec.get("requestBody");
            return body == null ? Map.of() : (Map<String, Object>) body.getOrDefault("content", Map.of());
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> jsonBodySchema() {
            Map<String, Object> media = (Map<String, Object>) content().get("application/json");
            return media == null ? null : (Map<String, Object>) media.get("schema");
        }

        boolean formBody() {
            return content().containsKey("application/x-www-form-urlencoded");
        }

        boolean rawBody() {
            return content().containsKey("*/*");
        }

        /** Documented to answer a page (the verification link), whose errors are pages too. */
        @SuppressWarnings("unchecked")
        public boolean answersHtml() {
            Map<String, Object> responses = (Map<String, Object>) spec.getOrDefault("responses", Map.of());
            return responses.values().stream()
                    .map(r -> (Map<String, Object>) r)
                    .map(r -> (Map<String, Object>) r.getOrDefault("content", Map.of()))
                    .anyMatch(c -> c.containsKey("text/html"));
        }
    }

    /** The valid request of an operation, from which each try breaks one thing. */
    private record Base(
            Map<String, String> path,
            Map<String, String> query,
            Map<String, String> headers,
            byte[] validBytes,
            String validType,
            Operation operation) {

        Try withPath(String name, String value, String what) {
            Map<String, String> changed = new LinkedHashMap<>(path);
            changed.put(name, value);
            return make(what, changed, query, headers, validBytes, validType);
        }

        Try withQuery(String name, String value, String what) {
            Map<String, String> changed = new LinkedHashMap<>(query);
            changed.put(name, value);
            return make(what, path, changed, headers, validBytes, validType);
        }

        Try withHeader(String name, String value, String what) {
            Map<String, String> changed = new LinkedHashMap<>(headers);
            changed.put(name, value);
            return make(what, path, query, changed, validBytes, validType);
        }

        Try withRawBody(String text, String type, String what) {
            return make(what, path, query, headers, text.getBytes(StandardCharsets.UTF_8), type);
        }

        Try withBytes(byte[] bytes, String type, String what) {
            return make(what, path, query, headers, bytes, type);
        }

        private Try make(
                String what,
                Map<String, String> pathValues,
                Map<String, String> queryValues,
                Map<String, String> headerValues,
                byte[] bytes,
                String type) {
            String resolved = operation.path();
            for (var entry : pathValues.entrySet()) {
                resolved = resolved.replace("{" + entry.getKey() + "}", entry.getValue());
            }
            StringBuilder q = new StringBuilder();
            queryValues.forEach((name, value) ->
                    q.append(q.isEmpty() ? "" : "&").append(name).append('=').append(value));
            Map<String, String> allHeaders = new LinkedHashMap<>(headerValues);
            if (bytes != null && type != null) {
                allHeaders.put("Content-Type", type);
            }
            return new Try(what, operation.method(), resolved, q.toString(), allHeaders, bytes, 0);
        }
    }
}
