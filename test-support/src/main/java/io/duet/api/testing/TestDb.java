package io.duet.api.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

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
