package io.duet.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/** PostgreSQL for the local stack: configured, else local, else embedded (a real PostgreSQL 15). */
final class LocalPostgres {
    static final String DATABASE = "duet";

    private LocalPostgres() {}

    static LocalServer resolve(LocalSettings settings) throws IOException {
        String url = LocalSettings.env("DATASOURCES_DEFAULT_URL");
        if (url != null) {
            String user = LocalSettings.env("DATASOURCES_DEFAULT_USERNAME");
            String password = LocalSettings.env("DATASOURCES_DEFAULT_PASSWORD");
            try (Connection ignored = DriverManager.getConnection(url, user, password)) {
                return LocalServer.fixed(Map.of(), "configured: " + redact(url));
            } catch (SQLException e) {
                throw new LocalServer.UnreachableException("DATASOURCES_DEFAULT_URL=" + redact(url)
                        + " does not answer (" + e.getSQLState() + "). Start that server or unset the variable.");
            }
        }
        if (LocalServer.answers(settings.postgresProbe())) {
            String server = "jdbc:postgresql://" + settings.postgresProbe() + "/";
            try {
                createDatabase(server + "postgres", "postgres", "");
                String local = server + DATABASE;
                return LocalServer.fixed(
                        Map.of(
                                "datasources.default.url",
                                local,
                                "datasources.default.username",
                                "postgres",
                                "datasources.default.password",
                                ""),
                        "local server " + local);
            } catch (SQLException e) {
                System.err.println("duet: PostgreSQL on " + settings.postgresProbe() + " refused us (" + e.getSQLState()
                        + "); set DATASOURCES_DEFAULT_URL/_USERNAME/_PASSWORD to use it. Starting an embedded one.");
            }
        }
        return embedded(settings);
    }

    private static LocalServer embedded(LocalSettings settings) throws IOException {
        var dir = settings.dataDir().resolve("postgres");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // The launcher stops it after the application (LocalStack's shutdown hook), never before.
                .setRegisterShutdownHook(false)
                // For the slow-query view of the ops page.
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setPort(settings.embeddedPostgresPort())
                .start();
        try {
            createDatabase(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "");
            try (Connection connection =
                    DriverManager.getConnection(postgres.getJdbcUrl("postgres", DATABASE), "postgres", "")) {
                connection.createStatement().execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
        } catch (SQLException e) {
            postgres.close();
            throw new IOException("embedded PostgreSQL started but the database could not be created", e);
        }
        String url = postgres.getJdbcUrl("postgres", DATABASE);
        return new LocalServer() {
            @Override
            public Map<String, Object> properties() {
                return Map.of(
                        "datasources.default.url",
                        url,
                        "datasources.default.username",
                        "postgres",
                        "datasources.default.password",
                        "");
            }

            @Override
            public String description() {
                return "embedded PostgreSQL on port " + postgres.getPort() + ", data in " + dir;
            }

            @Override
            public void close() throws IOException {
                postgres.close();
            }
        };
    }

    private static void createDatabase(String adminUrl, String user, String password) throws SQLException {
        try (Connection connection = DriverManager.getConnection(adminUrl, user, password);
                ResultSet exists = connection
                        .createStatement()
                        .executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
            if (!exists.next()) {
                connection.createStatement().execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    /** JDBC URLs may carry a password parameter. */
    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
