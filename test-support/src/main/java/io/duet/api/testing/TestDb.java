package io.duet.api.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;

/**
 * Plain JDBC to the test database, outside any application transaction: what tests use to look at rows
 * and to set up tables. Honours the same environment variables as the application.
 */
public final class TestDb {
    private TestDb() {}

    public static String url() {
        return env("DATASOURCES_DEFAULT_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    public static Connection open() throws SQLException {
        return DriverManager.getConnection(
                url(), env("DATASOURCES_DEFAULT_USERNAME", "postgres"), env("DATASOURCES_DEFAULT_PASSWORD", ""));
    }

    public static long count(String sql, Object... parameters) throws SQLException {
        try (Connection connection = open();
                var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /**
     * Brings the test database up to date with the API's migrations ({@code classpath:db/migration}, so the
     * caller has the API on its class path): for what never migrates by itself, as the Lambda functions
     * (a deployment migrates once) and the benchmarks that start them.
     */
    public static synchronized void migrate() {
        if (!migrated) {
            Flyway.configure()
                    .dataSource(
                            url(),
                            env("DATASOURCES_DEFAULT_USERNAME", "postgres"),
                            env("DATASOURCES_DEFAULT_PASSWORD", ""))
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            migrated = true;
        }
    }

    private static boolean migrated;

    public static boolean autovacuumOn() throws SQLException {
        try (Connection connection = open()) {
            return autovacuumOn(connection);
        }
    }

    private static boolean autovacuumOn(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("SHOW autovacuum")) {
            rows.next();
            return "on".equals(rows.getString(1));
        }
    }

    /**
     * Vacuums {@code tables} when the server runs without autovacuum (the CI machine's PostgreSQL does; a
     * production one vacuums in the background), so that a benchmark does not measure tables bloated by the
     * runs before it. Returns the CPU of every PostgreSQL process while it ran, in clock ticks (what else the
     * server did meanwhile counts too); 0 when autovacuum is on and nothing ran.
     */
    public static long vacuumWithoutAutovacuum(String... tables) throws SQLException, java.io.IOException {
        try (Connection connection = open();
                var statement = connection.createStatement()) {
            if (autovacuumOn(connection)) {
                return 0;
            }
            // Read while this session's backend lives: its CPU leaves /proc with it.
            long before = ProcStat.cpuTicksOfCommand("postgres");
            statement.execute("VACUUM " + String.join(", ", tables));
            return ProcStat.cpuTicksOfCommand("postgres") - before;
        }
    }

    public static void execute(String sql) throws SQLException {
        try (Connection connection = open();
                var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
