package io.duet.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Creates (and drops) the databases datagen and the benchmarks own, named by a JDBC URL. */
final class Databases {
    private Databases() {}

    /** Drops the database {@code url} names, if it exists (only ones the benchmarks own). */
    static void drop(String url, String user, String password) throws SQLException {
        String name = name(url);
        String admin = url.replaceFirst("/" + name + "(\\?|$)", "/postgres$1");
        try (Connection connection = DriverManager.getConnection(admin, user, password);
                var statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
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
        String name = name(url);
        String admin = url.replaceFirst("/" + name + "(\\?|$)", "/postgres$1");
        try (Connection connection = DriverManager.getConnection(admin, user, password);
                var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }
}
