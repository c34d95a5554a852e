package io.duet.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Creates (and drops) the databases datagen and the benchmarks own, named by a JDBC URL. */
final class Databases {
    private Databases() {}

    /** Drops the database {@code url} names, if it exists (only ones the benchmarks own). */
    static void drop(String url, String user, String password) throws SQLException {
        onServer(url, user, password, "DROP DATABASE IF EXISTS " + name(url) + " WITH (FORCE)");
    }

    /** Runs {@code sql} on the server of {@code url}, connected to its {@code postgres} database. */
    private static void onServer(String url, String user, String password, String sql) throws SQLException {
        String admin = url.replaceFirst("/" + name(url) + "(\\?|$)", "/postgres$1");
        try (Connection connection = DriverManager.getConnection(admin, user, password);
                var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String name(String url) throws SQLException {
        String name = url.replaceFirst("^jdbc:postgresql://[^/]+/", "").replaceFirst("\\?.*$", "");
        if (!name.matches("[A-Za-z0-9_]+")) {
            throw new SQLException("will not create or drop a database named " + name);
        }
        return name;
    }

    static void createIfMissing(String url, String user, String password) throws SQLException {
        try (Connection ignored = DriverManager.getConnection(url, user, password)) {
            return;
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) {
                throw e;
            }
        }
        onServer(url, user, password, "CREATE DATABASE " + name(url));
    }
}
