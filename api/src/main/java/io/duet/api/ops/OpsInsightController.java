package io.duet.api.ops;

import io.duet.api.web.ProblemResponses;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.transaction.TransactionOperations;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the ops page draws besides the queues: this node's last hour of signals ({@link OpsSeries}) and
 * PostgreSQL's slowest statements from {@code pg_stat_statements}. Behind the ops token like every /ops route.
 */
@Controller("/ops")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "ops")
@SecurityRequirement(name = "ops")
@ProblemResponses.Common
@ProblemResponses.Ops
class OpsInsightController {
    static final String HOW_TO_ENABLE = "pg_stat_statements is not enabled on this database. Add it to "
            + "shared_preload_libraries (postgresql.conf, or the parameter group in RDS/Aurora), restart, then run "
            + "CREATE EXTENSION pg_stat_statements; in this database.";

    private final OpsSeries series;
    private final TransactionOperations<Connection> transactions;

    OpsInsightController(OpsSeries series, TransactionOperations<Connection> transactions) {
        this.series = series;
        this.transactions = transactions;
    }

    @Get("/series")
    @Operation(summary = "This node's last hour of signals, one sample every 5 s, for the live charts")
    SeriesResponse series() {
        return new SeriesResponse(OpsSeries.INTERVAL_SECONDS, series.samples());
    }

    @Get("/slow-queries")
    @Operation(
            summary = "PostgreSQL's top statements by total or by mean time (pg_stat_statements); says how to enable"
                    + " it where it is missing")
    SlowQueries slowQueries(
            @Nullable @QueryValue @Pattern(regexp = "total|mean") @Schema(example = "total") String by,
            @Nullable @QueryValue @Min(1) @Max(100) @Schema(example = "20") Integer limit)
            throws SQLException {
        String order = "mean".equals(by) ? "mean_exec_time" : "total_exec_time";
        int rows = limit == null ? 20 : limit;
        try {
            return transactions.executeRead(status -> ready(status.getConnection())
                    ? new SlowQueries(true, null, top(status.getConnection(), order, rows))
                    : new SlowQueries(false, HOW_TO_ENABLE, List.of()));
        } catch (RuntimeException e) {
            // Created and preloaded, yet unreadable (a permission, a version mismatch): say so, not a 500.
            return new SlowQueries(false, HOW_TO_ENABLE + " (" + e.getMessage() + ")", List.of());
        }
    }

    /** The extension exists in this database and the server loaded its library at start. */
    private static boolean ready(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')"
                                + " AND current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'");
                ResultSet answer = statement.executeQuery()) {
            return answer.next() && answer.getBoolean(1);
        }
    }

    private static List<Statement> top(Connection connection, String order, int limit) throws SQLException {
        // stddev is what the view keeps besides the mean; with a normal-ish spread, mean + 2 sd is near the p95.
        String sql = "SELECT query, calls, total_exec_time, mean_exec_time, mean_exec_time + 2 * stddev_exec_time, rows"
                + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " ORDER BY " + order + " DESC LIMIT ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, limit);
            List<Statement> statements = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    statements.add(new Statement(
                            rows.getString(1),
                            rows.getLong(2),
                            rows.getDouble(3),
                            rows.getDouble(4),
                            rows.getDouble(5),
                            rows.getLong(6)));
                }
            }
            return statements;
        }
    }

    @Serdeable
    record SeriesResponse(@Schema(example = "5") int intervalSeconds, List<OpsSeries.Sample> samples) {}

    /**
     * @param p95EstimateMs mean + 2 standard deviations: pg_stat_statements keeps no percentiles
     */
    @Serdeable
    record Statement(
            @Schema(
                    example =
                            "SELECT seq, client_id FROM message WHERE couple_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3")
            String query,

            @Schema(example = "120431") long calls,
            @Schema(example = "48213.5") double totalMs,
            @Schema(example = "0.4") double meanMs,
            @Schema(example = "1.1") double p95EstimateMs,
            @Schema(example = "6021550") long rows) {}

    @Serdeable
    record SlowQueries(
            @Schema(example = "true") boolean available,
            @Nullable String howToEnable,
            List<Statement> statements) {}
}
