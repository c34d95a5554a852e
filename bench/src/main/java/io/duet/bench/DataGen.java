package io.duet.bench;

import io.duet.api.account.Argon2id;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.datafaker.Faker;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@code ./duet datagen --couples N --messages M}: loads realistic couples and messages fast, with
 * PostgreSQL {@code COPY}, so that scale problems show up on a developer's machine first.
 *
 * <ul>
 *   <li>People get Datafaker names and unique addresses; every account is verified and signs in with
 *       the password {@value #PASSWORD}.
 *   <li>Activity has a long tail: couple sizes follow a Zipf law (the k-th most active couple has 1/k of
 *       the top one's messages), shuffled over the couples, so most couples are quiet and a few hold
 *       hundreds of thousands of messages.
 *   <li>Texts come from a pool of Datafaker sentences, quotes and emoji cut to a log-normal length (most
 *       are a few words, a few are paragraphs), up to the API's 4,000 characters.
 *   <li>Couples are loaded in batches of {@code --batch} couples; within a batch the messages of all its
 *       couples are interleaved in time, as a real table would hold them. Each batch is one transaction
 *       that also records its completion, so an interrupted run resumes where it stopped
 *       (run the same command again); everything is derived from {@code --seed}.
 * </ul>
 */
public final class DataGen {
    static final String PASSWORD = "duet-datagen-password";
    private static final int TEXT_POOL = 40_000;
    private static final int CHUNK_BYTES = 1 << 20;

    private final Options options;
    private final PrintStream out;
    private final AtomicLong messagesWritten = new AtomicLong();
    private long messagesAtStart;

    DataGen(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("datagen: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(64);
            return;
        }
        Loaded loaded = new DataGen(options, System.err).run();
        if (loaded != null) {
            System.out.printf(
                    Locale.ROOT,
                    "RESULT couples=%d messages=%d seconds=%.1f messages_per_s=%.0f%n",
                    options.couples(),
                    options.messages(),
                    loaded.seconds(),
                    loaded.messagesPerSecond());
        }
    }

    /** What a run loaded: its wall time and load rate. */
    record Loaded(double seconds, double messagesPerSecond) {}

    /**
     * @param maxBatches load at most this many batches now and leave the rest for the next run (0: all)
     */
    record Options(
            String url,
            String user,
            String password,
            int couples,
            long messages,
            long seed,
            int batch,
            boolean progressBar,
            int maxBatches) {
        Options(
                String url,
                String user,
                String password,
                int couples,
                long messages,
                long seed,
                int batch,
                boolean progressBar) {
            this(url, user, password, couples, messages, seed, batch, progressBar, 0);
        }

        static final String USAGE = """
                usage: ./duet datagen --couples N --messages M [--seed S] [--batch COUPLES] [--max-batches B] [--database JDBC_URL]
                  loads N couples (2N verified accounts, password "duet-datagen-password") and M messages;
                  the database comes from --database, else DATASOURCES_DEFAULT_URL, else jdbc:postgresql://127.0.0.1:5432/duet
                  (created if missing). Run the same command again to resume an interrupted load;
                  --max-batches B loads only B batches of --batch couples now (load in chunks).""";

        static Options parse(String[] args) {
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("unexpected argument " + args[i]);
                }
                values.put(args[i].substring(2), args[++i]);
            }
            for (String key : values.keySet()) {
                if (!List.of("couples", "messages", "seed", "batch", "max-batches", "database")
                        .contains(key)) {
                    throw new IllegalArgumentException("unknown option --" + key);
                }
            }
            if (!values.containsKey("couples") || !values.containsKey("messages")) {
                throw new IllegalArgumentException("--couples and --messages are required");
            }
            int couples = Integer.parseInt(values.get("couples").replace("_", ""));
            long messages = Long.parseLong(values.get("messages").replace("_", ""));
            if (couples < 1 || messages < 0) {
                throw new IllegalArgumentException("--couples must be at least 1 and --messages at least 0");
            }
            String env = System.getenv("DATASOURCES_DEFAULT_URL");
            String url = values.getOrDefault("database", env != null ? env : "jdbc:postgresql://127.0.0.1:5432/duet");
            String user = System.getenv().getOrDefault("DATASOURCES_DEFAULT_USERNAME", "postgres");
            String password = System.getenv().getOrDefault("DATASOURCES_DEFAULT_PASSWORD", "");
            return new Options(
                    url,
                    user,
                    password,
                    couples,
                    messages,
                    Long.parseLong(values.getOrDefault("seed", "42")),
                    Integer.parseInt(values.getOrDefault("batch", "2000")),
                    System.console() != null,
                    Integer.parseInt(values.getOrDefault("max-batches", "0")));
        }
    }

    /** The database holds the same seed at another size. */
    static final class SeedTaken extends IllegalStateException {
        SeedTaken(String message) {
            super(message);
        }
    }

    /** Loads (or resumes loading) the data set; null when it was already complete. */
    Loaded run() throws Exception {
        Databases.createIfMissing(options.url(), options.user(), options.password());
        Flyway.configure()
                .dataSource(options.url(), options.user(), options.password())
                .load()
                .migrate();
        try (Connection connection = DriverManager.getConnection(options.url(), options.user(), options.password())) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("""
                        CREATE TABLE IF NOT EXISTS datagen_run (
                            seed bigint NOT NULL, couples int NOT NULL, messages bigint NOT NULL, batch_couples int NOT NULL,
                            batches_done int NOT NULL DEFAULT 0, messages_done bigint NOT NULL DEFAULT 0,
                            started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,
                            PRIMARY KEY (seed, couples, messages))""");
                try (ResultSet other = statement.executeQuery("SELECT couples, messages FROM datagen_run WHERE seed = "
                        + options.seed() + " AND (couples, messages) <> (" + options.couples() + ", "
                        + options.messages() + ")")) {
                    if (other.next()) {
                        // A seed's ids are the same whatever the size: a second size would collide with the first.
                        throw new SeedTaken(String.format(
                                Locale.ROOT,
                                "%s already holds seed %d as %,d couples and %,d messages: load another seed (--seed)"
                                        + " or into another database (--database), or drop this one",
                                options.url(),
                                options.seed(),
                                other.getInt(1),
                                other.getLong(2)));
                    }
                }
                statement.execute("INSERT INTO datagen_run (seed, couples, messages, batch_couples) VALUES ("
                        + options.seed() + ", " + options.couples() + ", " + options.messages() + ", " + options.batch()
                        + ") ON CONFLICT DO NOTHING");
            }
            connection.commit();
            Run run = loadRun(connection);
            int totalBatches = (options.couples() + run.batchCouples() - 1) / run.batchCouples();
            if (run.batchesDone() >= totalBatches) {
                out.printf(
                        "datagen: already loaded (%,d couples, %,d messages, seed %d) in %s%n",
                        options.couples(), options.messages(), options.seed(), options.url());
                return null;
            }
            out.printf(
                    "datagen: %s %,d couples and %,d messages into %s (seed %d, %d batches of %,d couples)%n",
                    run.batchesDone() > 0 ? "resuming" : "loading",
                    options.couples(),
                    options.messages(),
                    options.url(),
                    options.seed(),
                    totalBatches,
                    run.batchCouples());
            long started = System.nanoTime();
            Plan plan = Plan.of(options.couples(), options.messages(), options.seed());
            String[] texts = TextPool.build(options.seed(), TEXT_POOL);
            String passwordHash = new Argon2id(new Argon2id.Cost(19456, 2, 1)).hash(PASSWORD);
            messagesAtStart = run.messagesDone();
            messagesWritten.set(run.messagesDone());
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().factory());
            long loadStarted = System.nanoTime();
            ticker.scheduleAtFixedRate(
                    () -> progress(loadStarted, false), 500, options.progressBar() ? 500 : 5000, TimeUnit.MILLISECONDS);
            try {
                int stopAt = options.maxBatches() > 0
                        ? Math.min(totalBatches, run.batchesDone() + options.maxBatches())
                        : totalBatches;
                for (int batch = run.batchesDone(); batch < stopAt; batch++) {
                    int from = batch * run.batchCouples();
                    int to = Math.min(options.couples(), from + run.batchCouples());
                    long written = loadBatch(connection, plan, texts, passwordHash, batch, from, to);
                    try (var statement = connection.prepareStatement(
                            "UPDATE datagen_run SET batches_done = ?, messages_done = messages_done + ?, finished_at = ? "
                                    + "WHERE seed = ? AND couples = ? AND messages = ?")) {
                        statement.setInt(1, batch + 1);
                        statement.setLong(2, written);
                        statement.setObject(
                                3, batch + 1 == totalBatches ? java.sql.Timestamp.from(Instant.now()) : null);
                        statement.setLong(4, options.seed());
                        statement.setInt(5, options.couples());
                        statement.setLong(6, options.messages());
                        statement.executeUpdate();
                    }
                    connection.commit();
                }
            } finally {
                ticker.shutdownNow();
            }
            progress(loadStarted, true);
            out.println();
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("ANALYZE account");
                statement.execute("ANALYZE couple");
                statement.execute("ANALYZE couple_member");
                statement.execute("ANALYZE message");
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long loaded = messagesWritten.get() - messagesAtStart;
            out.printf(
                    "datagen: done in %.1f s: %,d messages at %,.0f messages/s (largest couple: %,d messages)%n",
                    seconds, loaded, loaded / ((System.nanoTime() - loadStarted) / 1e9), plan.largest());
            return new Loaded(seconds, loaded / ((System.nanoTime() - loadStarted) / 1e9));
        }
    }

    private record Run(int batchCouples, int batchesDone, long messagesDone) {}

    private Run loadRun(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(
                "SELECT batch_couples, batches_done, messages_done FROM datagen_run WHERE seed = ? AND couples = ? AND messages = ?")) {
            statement.setLong(1, options.seed());
            statement.setInt(2, options.couples());
            statement.setLong(3, options.messages());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return new Run(rows.getInt(1), rows.getInt(2), rows.getLong(3));
            }
        }
    }

    /** Loads couples [from, to): their accounts, couples, memberships and messages. Returns the messages written. */
    private long loadBatch(
            Connection connection, Plan plan, String[] texts, String passwordHash, int batch, int from, int to)
            throws SQLException {
        SplittableRandom random = new SplittableRandom(options.seed() * 1_000_003L + batch);
        Faker faker = new Faker(new Random(options.seed() * 31 + batch));
        long now = Instant.now().toEpochMilli() * 1000;
        CopyWriter accounts = new CopyWriter(
                connection,
                "COPY account (id, email, email_normalized, password_hash, display_name, "
                        + "locale, verified_at, email_undeliverable, created_at) FROM STDIN");
        List<Cursor> cursors = new ArrayList<>(to - from);
        StringBuilder couples = new StringBuilder();
        StringBuilder members = new StringBuilder();
        for (int index = from; index < to; index++) {
            UUID coupleId = Ids.of(options.seed(), 'c', index);
            UUID a = Ids.of(options.seed(), 'a', index);
            UUID b = Ids.of(options.seed(), 'b', index);
            long count = plan.count(index);
            long created = now - (30L + random.nextLong(700)) * 86_400_000_000L - random.nextLong(86_400_000_000L);
            for (UUID person : List.of(a, b)) {
                String first = faker.name().firstName();
                String last = faker.name().lastName();
                String email = (ascii(first) + "." + ascii(last) + "." + options.seed() + "." + index
                        + (person == a ? "a" : "b") + "@example.com");
                accounts.row(
                        person.toString(),
                        email,
                        email,
                        passwordHash,
                        Copy.escape(first + " " + last),
                        random.nextInt(5) == 0 ? "de" : "en",
                        Copy.timestamp(created + 3_600_000_000L),
                        "f",
                        Copy.timestamp(created));
            }
            Copy.row(
                    couples,
                    coupleId.toString(),
                    "local",
                    Copy.timestamp(created + 7_200_000_000L),
                    "\\N",
                    Long.toString(count));
            Copy.row(
                    members,
                    coupleId.toString(),
                    a.toString(),
                    Copy.timestamp(created + 7_200_000_000L),
                    "\\N",
                    Long.toString(Math.max(0, count - random.nextInt(3))));
            Copy.row(
                    members,
                    coupleId.toString(),
                    b.toString(),
                    Copy.timestamp(created + 7_200_000_000L),
                    "\\N",
                    Long.toString(Math.max(0, count - random.nextInt(3))));
            if (count > 0) {
                cursors.add(
                        new Cursor(coupleId, a, b, count, created + 7_200_000_000L, now - created - 7_200_000_000L));
            }
        }
        accounts.end();
        new CopyWriter(connection, "COPY couple (id, home_region, created_at, ended_at, last_seq) FROM STDIN")
                .raw(couples)
                .end();
        new CopyWriter(
                        connection,
                        "COPY couple_member (couple_id, account_id, joined_at, left_at, read_seq) FROM STDIN")
                .raw(members)
                .end();

        CopyWriter messages = new CopyWriter(
                connection, "COPY message (couple_id, seq, client_id, sender_id, body, created_at) FROM STDIN");
        PriorityQueue<Cursor> byTime = new PriorityQueue<>((x, y) -> Long.compare(x.nextAt, y.nextAt));
        for (Cursor cursor : cursors) {
            cursor.advance(random);
            byTime.add(cursor);
        }
        long written = 0;
        while (!byTime.isEmpty()) {
            Cursor cursor = byTime.poll();
            UUID sender = random.nextInt(100) < 52 ? cursor.a : cursor.b;
            messages.row(
                    cursor.coupleText,
                    Long.toString(cursor.seq),
                    new UUID(
                                    random.nextLong() & ~0xF000L | 0x4000L,
                                    random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L)
                            .toString(),
                    sender == cursor.a ? cursor.aText : cursor.bText,
                    texts[random.nextInt(texts.length)],
                    Copy.timestamp(cursor.nextAt));
            written++;
            if ((written & 1023) == 0) {
                messagesWritten.addAndGet(1024);
            }
            if (cursor.seq < cursor.count) {
                cursor.advance(random);
                byTime.add(cursor);
            }
        }
        messagesWritten.addAndGet(written & 1023);
        messages.end();
        return written;
    }

    /** The next message of one couple: seq and time, spread evenly with jitter from its pairing to now. */
    private static final class Cursor {
        final String coupleText;
        final UUID a;
        final UUID b;
        final String aText;
        final String bText;
        final long count;
        final long start;
        final long span;
        long seq;
        long nextAt;

        Cursor(UUID couple, UUID a, UUID b, long count, long start, long span) {
            this.coupleText = couple.toString();
            this.a = a;
            this.b = b;
            this.aText = a.toString();
            this.bText = b.toString();
            this.count = count;
            this.start = start;
            this.span = Math.max(span, count);
        }

        void advance(SplittableRandom random) {
            seq++;
            nextAt = start + (long) (span * ((seq - 1 + random.nextDouble()) / count));
        }
    }

    private void progress(long started, boolean last) {
        long total = options.messages();
        long done = messagesWritten.get();
        double seconds = (System.nanoTime() - started) / 1e9;
        double rate = seconds > 0 ? (done - messagesAtStart) / seconds : 0;
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int width = 30;
        int filled = (int) (fraction * width);
        String eta = rate > 0 && done < total ? formatDuration((long) ((total - done) / rate)) : "-";
        String line = String.format(
                Locale.ROOT,
                "  [%s%s] %5.1f%%  %,d / %,d messages  %,.0f/s  ETA %s",
                "#".repeat(filled),
                ".".repeat(width - filled),
                fraction * 100,
                done,
                total,
                rate,
                eta);
        if (options.progressBar()) {
            out.print("\r" + line);
        } else if (!last) {
            out.println(line);
        } else {
            out.print(line);
        }
        out.flush();
    }

    private static String formatDuration(long seconds) {
        return seconds >= 60 ? (seconds / 60) + "m" + String.format("%02d", seconds % 60) + "s" : seconds + "s";
    }

    private static String ascii(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    }

    /** How many messages each couple gets: Zipf over a seeded shuffle of the couples, summing to exactly M. */
    record Plan(long[] counts, long largest) {
        static Plan of(int couples, long messages, long seed) {
            double harmonic = 0;
            for (int rank = 1; rank <= couples; rank++) {
                harmonic += 1.0 / rank;
            }
            long[] byRank = new long[couples];
            long assigned = 0;
            for (int rank = 1; rank <= couples; rank++) {
                byRank[rank - 1] = (long) Math.floor(messages / (rank * harmonic));
                assigned += byRank[rank - 1];
            }
            for (int rank = 0; assigned < messages; rank = (rank + 1) % couples) {
                byRank[rank]++;
                assigned++;
            }
            int[] order = new int[couples];
            for (int i = 0; i < couples; i++) {
                order[i] = i;
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = couples - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            long[] counts = new long[couples];
            for (int rank = 0; rank < couples; rank++) {
                counts[order[rank]] = byRank[rank];
            }
            return new Plan(counts, byRank[0]);
        }

        long count(int couple) {
            return counts[couple];
        }
    }

    /** Deterministic ids (UUID version 4 layout) from the seed, a kind and an index: resumable runs make the same ones. */
    static final class Ids {
        private Ids() {}

        static UUID of(long seed, char kind, long index) {
            SplittableRandom random =
                    new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ (kind * 0xBF58476D1CE4E5B9L) ^ index);
            return new UUID(
                    random.nextLong() & ~0xF000L | 0x4000L,
                    random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L);
        }
    }

    /** Message texts: Datafaker sentences, quotes and emoji cut to a log-normal length. */
    static final class TextPool {
        private TextPool() {}

        static String[] build(long seed, int size) {
            Faker faker = new Faker(new Random(seed));
            Random random = new Random(seed);
            String[] pool = new String[size];
            for (int i = 0; i < size; i++) {
                // Most chat messages are a few words; one in fifty is a paragraph or more.
                double median = random.nextInt(50) == 0 ? 400 : 28;
                int length =
                        (int) Math.max(1, Math.min(4000, Math.round(median * Math.exp(0.8 * random.nextGaussian()))));
                StringBuilder text = new StringBuilder();
                while (text.length() < length) {
                    if (!text.isEmpty()) {
                        text.append(' ');
                    }
                    text.append(
                            switch (random.nextInt(9)) {
                                case 0 -> faker.yoda().quote();
                                case 1 -> faker.friends().quote();
                                case 2 -> faker.howIMetYourMother().quote();
                                case 3 -> faker.famousLastWords().lastWords();
                                case 4 -> faker.chuckNorris().fact();
                                case 5 -> faker.emoji().smiley();
                                default -> faker.lorem().sentence(1 + random.nextInt(12));
                            });
                }
                String cut = text.length() <= length ? text.toString() : text.substring(0, cutPoint(text, length));
                pool[i] = Copy.escape(cut.strip().isEmpty() ? "🙂" : cut.strip());
            }
            return pool;
        }

        private static int cutPoint(CharSequence text, int length) {
            int space = text.toString().lastIndexOf(' ', length);
            int cut = space > length / 2 ? space : length;
            return Character.isHighSurrogate(text.charAt(cut - 1)) ? cut - 1 : cut;
        }
    }

    /** PostgreSQL COPY text format. */
    static final class Copy {
        private static final java.time.format.DateTimeFormatter FORMAT =
                java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'");

        private Copy() {}

        static String escape(String value) {
            StringBuilder escaped = new StringBuilder(value.length() + 8);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> escaped.append("\\\\");
                    case '\t' -> escaped.append("\\t");
                    case '\n' -> escaped.append("\\n");
                    case '\r' -> escaped.append("\\r");
                    default -> escaped.append(c);
                }
            }
            return escaped.toString();
        }

        static String timestamp(long epochMicros) {
            return LocalDateTime.ofEpochSecond(
                            Math.floorDiv(epochMicros, 1_000_000),
                            (int) Math.floorMod(epochMicros, 1_000_000) * 1000,
                            ZoneOffset.UTC)
                    .format(FORMAT);
        }

        static void row(StringBuilder out, String... columns) {
            for (int i = 0; i < columns.length; i++) {
                if (i > 0) {
                    out.append('\t');
                }
                out.append(columns[i]);
            }
            out.append('\n');
        }
    }

    /** Streams rows into one COPY in 1 MiB chunks. */
    static final class CopyWriter {
        private final CopyIn copy;
        private final StringBuilder buffer = new StringBuilder(CHUNK_BYTES + 8192);

        CopyWriter(Connection connection, String sql) throws SQLException {
            this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        }

        void row(String... columns) throws SQLException {
            Copy.row(buffer, columns);
            if (buffer.length() >= CHUNK_BYTES) {
                flush();
            }
        }

        CopyWriter raw(CharSequence rows) throws SQLException {
            buffer.append(rows);
            flush();
            return this;
        }

        private void flush() throws SQLException {
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            buffer.setLength(0);
        }

        void end() throws SQLException {
            flush();
            copy.endCopy();
        }
    }
}
