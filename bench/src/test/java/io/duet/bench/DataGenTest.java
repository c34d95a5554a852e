package io.duet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** datagen against real PostgreSQL: exact counts, valid data, and a resumed load equal to an uninterrupted one. */
class DataGenTest {
    private static final String BASE = System.getenv()
            .getOrDefault("DATASOURCES_DEFAULT_URL", "jdbc:postgresql://127.0.0.1:5432/test")
            .replaceFirst("/[^/?]+(\\?.*)?$", "/");

    @Test
    void givenAnInterruptedLoad_whenRunAgain_thenItEqualsAnUninterruptedOne() throws Exception {
        String whole = fresh("duet_datagen_test_whole");
        String chunked = fresh("duet_datagen_test_chunked");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        new DataGen(new DataGen.Options(whole, "postgres", "", 200, 20_000, 7, 50, false), out).run();
        // The same load in pieces, as if it were interrupted after one batch and then after two more.
        new DataGen(new DataGen.Options(chunked, "postgres", "", 200, 20_000, 7, 50, false, 1), out).run();
        assertEquals(50, count(chunked, "SELECT count(*) FROM couple"));
        new DataGen(new DataGen.Options(chunked, "postgres", "", 200, 20_000, 7, 50, false, 2), out).run();
        assertEquals(150, count(chunked, "SELECT count(*) FROM couple"));
        new DataGen(new DataGen.Options(chunked, "postgres", "", 200, 20_000, 7, 50, false), out).run();
        assertNull(
                new DataGen(new DataGen.Options(chunked, "postgres", "", 200, 20_000, 7, 50, false), out).run(),
                "a complete load is not loaded again");

        for (String url : new String[] {whole, chunked}) {
            assertEquals(20_000, count(url, "SELECT count(*) FROM message"));
            assertEquals(200, count(url, "SELECT count(*) FROM couple"));
            assertEquals(
                    400,
                    count(url, "SELECT count(DISTINCT email_normalized) FROM account WHERE verified_at IS NOT NULL"));
            // seq is 1..n without gaps in every couple, and the couple's last_seq says n.
            assertEquals(0, count(url, """
                    SELECT count(*) FROM couple c LEFT JOIN (SELECT couple_id, count(*) n, min(seq) lo, max(seq) hi
                    FROM message GROUP BY couple_id) m ON m.couple_id = c.id
                    WHERE coalesce(m.n, 0) <> c.last_seq OR (m.n > 0 AND (m.lo <> 1 OR m.hi <> m.n))"""));
            assertEquals(
                    0,
                    count(
                            url,
                            "SELECT count(*) FROM message WHERE length(body) NOT BETWEEN 1 AND 4000 OR body ~ '[\\x01-\\x08\\x0b-\\x1f]'"));
            assertEquals(
                    0,
                    count(
                            url,
                            "SELECT count(*) FROM message m JOIN couple_member cm ON cm.couple_id = m.couple_id "
                                    + "WHERE NOT EXISTS (SELECT 1 FROM couple_member s WHERE s.couple_id = m.couple_id AND s.account_id = m.sender_id)"));
        }
        // The long tail: the busiest couple holds a large share, most couples are quiet.
        assertTrue(count(whole, "SELECT max(last_seq) FROM couple") > 2_500);
        assertTrue(count(whole, "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY last_seq) FROM couple") < 40);
        String fingerprint =
                "SELECT md5(string_agg(couple_id || ':' || seq || ':' || client_id || ':' || sender_id || ':' || body, ',' "
                        + "ORDER BY couple_id, seq)) FROM message";
        assertEquals(text(whole, fingerprint), text(chunked, fingerprint));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void givenASeedLoadedAtOneSize_whenLoadedAtAnother_thenAClearRefusalAndTheDataUntouched() throws Exception {
        String url = fresh("duet_datagen_test_sizes");
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        new DataGen(new DataGen.Options(url, "postgres", "", 20, 400, 7, 10, false), out).run();

        DataGen.SeedTaken taken = assertThrows(
                DataGen.SeedTaken.class,
                () -> new DataGen(new DataGen.Options(url, "postgres", "", 40, 800, 7, 10, false), out).run());

        assertTrue(
                taken.getMessage().contains("already holds seed 7 as 20 couples and 400 messages"), taken.getMessage());
        assertEquals(20, count(url, "SELECT count(*) FROM couple"));
        // Another seed is another data set beside it.
        new DataGen(new DataGen.Options(url, "postgres", "", 40, 800, 8, 10, false), out).run();
        assertEquals(60, count(url, "SELECT count(*) FROM couple"));
    }

    private static String fresh(String name) throws Exception {
        try (Connection admin = DriverManager.getConnection(BASE + "postgres", "postgres", "");
                var statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name);
        }
        return BASE + name;
    }

    private static long count(String url, String sql) throws Exception {
        return Long.parseLong(text(url, sql));
    }

    private static String text(String url, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                var statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
