package io.duet.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Creates the database a JDBC URL names when it does not exist yet (datagen and benches own theirs). */
final class Databases {
    private Databases() {}

    static void createIfMissing(String url, String user, String password) throws SQLException {
        try (Connection ignored = DriverManager.getConnection(url, user, password)) {
            return;
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) {
                throw e;
            }
        }
        String name = url.replaceFirst("^jdbc:postgresql://[^/]+/", "").replaceFirst("\\?.*$", "");
        if (!name.matches("[A-Za-z0-9_]+")) {
            throw new SQLException("will not create a database named " + name);
        }
        String admin = url.replaceFirst("/" + name + "(\\?|$)", "/postgres$1");
        try (Connection connection = DriverManager.getConnection(admin, user, password);
                var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }
}
