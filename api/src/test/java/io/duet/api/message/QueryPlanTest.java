package io.duet.api.message;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.TestDb;
import io.micronaut.context.ApplicationContext;
import io.micronaut.data.annotation.Query;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.ExecutableMethod;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The query-plan guard: with at least a million messages in the database (a long tail: one couple with
 * about 100,000, most with a handful), {@code EXPLAIN} every hot query exactly as the application sends
 * it (the repositories' own SQL, taken from their annotations and constants) and fail on a sequential
 * scan of a large table or on any sort (every hot query is ordered by an index, so a sort means an index
 * went missing and the cost now grows with the data).
 */
@MicronautTest(transactional = false)
class QueryPlanTest {
    private static final long MESSAGES = 1_000_000;
    private static final List<String> LARGE_TABLES =
            List.of("account", "couple", "couple_member", "message", "couple_invite");

    @Inject
    ApplicationContext context;

    static UUID bigCouple;
    static UUID bigMember;
    static String bigMemberEmail;

    @BeforeAll
    static void loadAMillionMessages() throws Exception {
        try (Connection connection = TestDb.open();
                var statement = connection.createStatement()) {
            // Loaded once per database: later runs find it (the ids are looked up, not remembered).
            ResultSet marker = statement.executeQuery("SELECT count(*) FROM account WHERE email LIKE 'plan-guard-%'");
            marker.next();
            if (marker.getLong(1) == 0) {
                connection.setAutoCommit(false);
                statement.execute("""
                        CREATE TEMP TABLE plan_couple ON COMMIT DROP AS
                        SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS a, gen_random_uuid() AS b,
                               ceil(%d / (i * 9.7876))::bigint AS n
                        FROM generate_series(1, 10000) i""".formatted(MESSAGES));
                statement.execute("""
                        INSERT INTO account (id, email, email_normalized, password_hash, display_name, locale, verified_at, created_at)
                        SELECT p.id, 'plan-guard-' || p.id || '@example.com', 'plan-guard-' || p.id || '@example.com', 'x', 'Plan', 'en', now(), now()
                        FROM (SELECT a AS id FROM plan_couple UNION ALL SELECT b FROM plan_couple) p""");
                statement.execute(
                        "INSERT INTO couple (id, home_region, created_at, last_seq) SELECT id, 'local', now(), n FROM plan_couple");
                statement.execute("""
                        INSERT INTO couple_member (couple_id, account_id, joined_at)
                        SELECT id, a, now() FROM plan_couple UNION ALL SELECT id, b, now() FROM plan_couple""");
                statement.execute("""
                        INSERT INTO message (couple_id, seq, client_id, sender_id, body, created_at)
                        SELECT c.id, s, gen_random_uuid(), CASE WHEN s % 2 = 0 THEN c.a ELSE c.b END,
                               'plan guard message number ' || s, now() - make_interval(secs => c.n - s)
                        FROM plan_couple c, generate_series(1, c.n) s""");
                connection.commit();
                connection.setAutoCommit(true);
            }
            statement.execute("ANALYZE account");
            statement.execute("ANALYZE couple");
            statement.execute("ANALYZE couple_member");
            statement.execute("ANALYZE message");
            ResultSet big = statement.executeQuery("""
                    SELECT c.id, m.account_id, a.email FROM couple c
                    JOIN couple_member m ON m.couple_id = c.id JOIN account a ON a.id = m.account_id
                    WHERE a.email LIKE 'plan-guard-%' ORDER BY c.last_seq DESC LIMIT 1""");
            big.next();
            bigCouple = big.getObject(1, UUID.class);
            bigMember = big.getObject(2, UUID.class);
            bigMemberEmail = big.getString(3);
        }
        assertTrue(TestDb.count("SELECT count(*) FROM message") >= MESSAGES, "the guard needs a million messages");
    }

    @Test
    void givenAMillionMessages_thenNoHotQueryScansALargeTableOrSorts() throws Exception {
        long middle = 50_000;
        Map<String, Explained> hot = new LinkedHashMap<>();
        hot.put(
                "login lookup",
                repository("io.duet.api.account.AccountRepository", "findByEmailNormalized", bigMemberEmail));
        hot.put("/v1/me", repository("io.duet.api.account.AccountRepository", "findByIdAndDeletedAtIsNull", bigMember));
        hot.put(
                "couple lookup (membership)",
                repository(
                        "io.duet.api.couple.CoupleRepository",
                        "membership",
                        bigMember,
                        java.sql.Timestamp.from(java.time.Instant.now().minus(java.time.Duration.ofDays(30)))));
        hot.put("account check", repository("io.duet.api.couple.CoupleRepository", "accountVerified", bigMember));
        hot.put("GET /v1/couple", repository("io.duet.api.couple.CoupleRepository", "view", bigCouple, bigMember));
        hot.put(
                "message page (newest first)",
                new Explained(MessageRepository.PAGE_BEFORE, List.of(bigCouple, middle, 51)));
        hot.put("message page (catch up)", new Explained(MessageRepository.PAGE_AFTER, List.of(bigCouple, middle, 51)));
        hot.put("send: lock the couple", new Explained(MessageRepository.LOCK_COUPLE, List.of(bigCouple)));
        hot.put(
                "send: client id lookup",
                new Explained(MessageRepository.FIND_BY_CLIENT_ID, List.of(bigCouple, UUID.randomUUID())));
        hot.put(
                "send: seq assignment and insert",
                new Explained(
                        MessageRepository.INSERT,
                        List.of(
                                bigCouple,
                                bigCouple,
                                UUID.randomUUID(),
                                bigMember,
                                "hello",
                                java.sql.Timestamp.from(java.time.Instant.now()))));
        hot.put(
                "read marker",
                repository("io.duet.api.couple.CoupleRepository", "raiseReadMarker", bigCouple, bigMember, middle));

        List<String> failures = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        try (Connection connection = TestDb.open()) {
            connection.setAutoCommit(false);
            for (var entry : hot.entrySet()) {
                String plan = entry.getValue().explain(connection);
                report.append("-- ")
                        .append(entry.getKey())
                        .append('\n')
                        .append(plan)
                        .append('\n');
                for (String table : LARGE_TABLES) {
                    if (Pattern.compile("Seq Scan on " + table + "\\b")
                            .matcher(plan)
                            .find()) {
                        failures.add(entry.getKey() + ": sequential scan of " + table);
                    }
                }
                if (plan.contains("Sort  (") || plan.contains("Sort Key")) {
                    failures.add(entry.getKey() + ": sorts instead of reading an index in order");
                }
            }
            connection.rollback();
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures) + "\n\n" + report);
        // The membership lookup of every couple request needs nothing but its index.
        assertTrue(
                Pattern.compile("Index Only Scan (Backward )?using couple_member_account")
                        .matcher(report)
                        .find(),
                report.toString());
    }

    /** The SQL Micronaut Data runs for a repository method, from the method's compiled annotation metadata. */
    private Explained repository(String repository, String method, Object... values) throws Exception {
        BeanDefinition<?> definition = context.getBeanDefinition(Class.forName(repository));
        for (ExecutableMethod<?, ?> executable : definition.getExecutableMethods()) {
            if (executable.getMethodName().equals(method)) {
                String sql = executable
                        .stringValue(Query.class)
                        .orElseThrow(() -> new AssertionError("no query for " + method));
                Map<String, Object> byName = new LinkedHashMap<>();
                for (int i = 0; i < values.length; i++) {
                    byName.put(":" + executable.getArguments()[i].getName(), values[i]);
                }
                return new Explained(sql, List.of(values), byName);
            }
        }
        throw new AssertionError(repository + " has no method " + method);
    }

    /** A statement with its parameters (named {@code :x} or positional {@code ?}), explained through PREPARE. */
    private record Explained(String sql, List<Object> values, Map<String, Object> byName) {
        Explained(String sql, List<Object> values) {
            this(sql, values, Map.of());
        }

        private static final Pattern PARAMETER = Pattern.compile(":[a-zA-Z]\\w*|\\?");

        String explain(Connection connection) throws Exception {
            Matcher matcher = PARAMETER.matcher(sql);
            StringBuilder numbered = new StringBuilder();
            Map<String, Integer> named = new LinkedHashMap<>();
            List<Object> ordered = new ArrayList<>();
            int next = 0;
            while (matcher.find()) {
                String token = matcher.group();
                int number;
                if (token.equals("?")) {
                    ordered.add(values.get(next++));
                    number = ordered.size();
                } else if (named.containsKey(token)) {
                    number = named.get(token);
                } else {
                    if (!byName.containsKey(token)) {
                        throw new AssertionError("no value for " + token + " in " + sql);
                    }
                    ordered.add(byName.get(token));
                    number = ordered.size();
                    named.put(token, number);
                }
                matcher.appendReplacement(numbered, "\\$" + number);
            }
            matcher.appendTail(numbered);
            try (var statement = connection.createStatement()) {
                statement.execute("DEALLOCATE ALL");
                statement.execute("PREPARE hot AS " + numbered);
            }
            StringBuilder arguments = new StringBuilder();
            for (Object value : ordered) {
                arguments.append(arguments.isEmpty() ? "" : ", ").append(literal(value));
            }
            StringBuilder plan = new StringBuilder();
            try (var statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("EXPLAIN EXECUTE hot(" + arguments + ")")) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }

        private static String literal(Object value) {
            return value instanceof Number
                    ? value.toString()
                    : "'" + value.toString().replace("'", "''") + "'";
        }
    }
}
