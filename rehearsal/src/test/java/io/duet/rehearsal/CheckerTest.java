package io.duet.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checker's join of the ledger with message and media rows, on the shared test PostgreSQL in a schema of its own.
 * The base data (datagen) spreads each couple's messages up to the moment it runs; those rows are nobody's request.
 */
class CheckerTest {
    private final String schema = "checker_" + UUID.randomUUID().toString().replace("-", "");
    private Connection c;

    @BeforeEach
    void schema() throws Exception {
        Map<String, String> env = System.getenv();
        c = DriverManager.getConnection(
                env.getOrDefault("DATASOURCES_DEFAULT_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
                env.getOrDefault("DATASOURCES_DEFAULT_USERNAME", "postgres"),
                env.getOrDefault("DATASOURCES_DEFAULT_PASSWORD", ""));
        try (var s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("SET search_path TO " + schema);
            s.execute("CREATE TABLE message (client_id uuid NOT NULL, created_at timestamptz NOT NULL)");
            s.execute("CREATE TABLE account (id uuid PRIMARY KEY, email text NOT NULL)");
            s.execute("CREATE TABLE media (id uuid PRIMARY KEY, owner_id uuid NOT NULL, kind text NOT NULL,"
                    + " status text NOT NULL, idempotency_key text)");
        }
    }

    @AfterEach
    void drop() throws Exception {
        try (var s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
        c.close();
    }

    @Test
    void givenBaseMessagesUpToTheLoad_whenChecking_thenOnlyRowsAfterItWithoutARequestAreUnexpected() throws Exception {
        long loadedAt = System.currentTimeMillis();
        String base = UUID.randomUUID().toString();
        String asked = UUID.randomUUID().toString();
        String twice = UUID.randomUUID().toString();
        String lost = UUID.randomUUID().toString();
        String nobodys = UUID.randomUUID().toString();
        insert(base, loadedAt - 20_000); // datagen's last message for a couple, 20 s before it finished
        insert(asked, loadedAt + 5_000);
        insert(twice, loadedAt + 6_000);
        insert(twice, loadedAt + 6_100);
        insert(nobodys, loadedAt + 7_000);
        List<Ledger.Line> load = List.of(
                new Ledger.Line("message", asked, loadedAt + 4_900, loadedAt + 5_010, "201", "-"),
                new Ledger.Line("message", lost, loadedAt + 5_900, loadedAt + 5_950, "201", "-"));
        List<Ledger.Line> probe =
                List.of(new Ledger.Line("rt-message", twice, loadedAt + 5_990, loadedAt + 6_200, "201", "3:17"));
        List<Checker.Finding> findings = new ArrayList<>();

        Checker.Row row = new Checker(null, null, null, load, probe).messages(c, findings, loadedAt);

        assertEquals(3, row.requests());
        assertEquals(1, row.lost(), "a 201 without a row");
        assertEquals(1, row.duplicated(), "one clientId, two rows");
        assertEquals(1, row.unexpected(), "only the row after the load that nobody sent: " + findings);
        assertEquals(
                List.of(nobodys),
                findings.stream()
                        .filter(f -> f.verdict().startsWith("unexpected"))
                        .map(Checker.Finding::key)
                        .toList());
    }

    @Test
    void givenUploadsByKey_whenChecking_thenEachKeyIsJoinedToItsRowAndRowsNobodySentAreUnexpected() throws Exception {
        UUID user = account("rh-7@rehearsal.duet.test");
        UUID preflight = account("datagen-1@example.com");
        UUID ready = media(user, "ready", "ready-key");
        media(user, "ready", "misnamed-key");
        media(user, "processing", "stuck-key");
        media(user, "ready", "timed-out-key");
        media(user, "ready", "nobodys-key");
        media(user, "ready", null);
        media(preflight, "ready", null); // the preflight's upload, by an account of the base data
        List<Ledger.Line> load = List.of(
                new Ledger.Line("photo", "ready-key", 1, 2, "202", ready.toString()),
                new Ledger.Line(
                        "photo", "misnamed-key", 1, 2, "202", UUID.randomUUID().toString()),
                new Ledger.Line("photo", "stuck-key", 1, 2, "202", "-"),
                new Ledger.Line("photo", "missing-key", 1, 2, "202", "-"),
                new Ledger.Line("photo", "timed-out-key", 1, 2, "error", "-"),
                new Ledger.Line("avatar", "avatar-key", 1, 2, "202", "-"));
        List<Checker.Finding> findings = new ArrayList<>();

        Checker.Row row = new Checker(null, null, null, load, List.of()).media(c, findings, "photo");

        assertEquals(5, row.requests());
        assertEquals(4, row.ok());
        assertEquals(
                3,
                row.lost(),
                "a 202 whose row is still processing, one without a row, one naming another item: " + findings);
        assertEquals(1, row.recovered(), "a try without an answer whose upload was made");
        assertEquals(2, row.unexpected(), "a key nobody sent and a row without a key: " + findings);
        assertEquals(0, row.duplicated());
    }

    private UUID account(String email) throws Exception {
        UUID id = UUID.randomUUID();
        try (var s = c.prepareStatement("INSERT INTO account (id, email) VALUES (?, ?)")) {
            s.setObject(1, id);
            s.setString(2, email);
            s.executeUpdate();
        }
        return id;
    }

    private UUID media(UUID owner, String status, String key) throws Exception {
        UUID id = UUID.randomUUID();
        try (var s = c.prepareStatement(
                "INSERT INTO media (id, owner_id, kind, status, idempotency_key) VALUES (?, ?, 'photo', ?, ?)")) {
            s.setObject(1, id);
            s.setObject(2, owner);
            s.setString(3, status);
            s.setString(4, key);
            s.executeUpdate();
        }
        return id;
    }

    private void insert(String clientId, long at) throws Exception {
        try (var s = c.prepareStatement("INSERT INTO message (client_id, created_at) VALUES (?::uuid, ?)")) {
            s.setString(1, clientId);
            s.setTimestamp(2, new Timestamp(at));
            s.executeUpdate();
        }
    }
}
