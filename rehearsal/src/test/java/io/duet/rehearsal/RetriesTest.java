package io.duet.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetriesTest {

    @Test
    void givenTheServerNamesADelay_thenTheClientWaitsThatLong_cappedAtTenSeconds() {
        assertEquals(Duration.ofSeconds(2), Retries.delay("2", 1));
        assertEquals(Duration.ofSeconds(2), Retries.delay(" 2 ", 4));
        assertEquals(Duration.ofSeconds(10), Retries.delay("3600", 1));
    }

    @Test
    void givenNoDelayOrOneItCannotRead_thenItsOwnBackoffDoubles() {
        assertEquals(Duration.ofMillis(800), Retries.delay(null, 1));
        assertEquals(Duration.ofMillis(1600), Retries.delay(null, 2));
        assertEquals(Duration.ofMillis(3200), Retries.delay("Wed, 21 Oct 2026 07:28:00 GMT", 3));
        assertEquals(Duration.ofMillis(6400), Retries.delay(null, 4));
    }

    @Test
    void givenEveryTryAnswered503WithTheServersDelay_thenTheTriesSpanADatabaseRestart() {
        // The API answers 503 with Retry-After: 2 while PostgreSQL is away; the last full rehearsal's restart
        // kept it away 6.6 s, which the old three tries 0.8 s apart (1.6 s in all) could not outlast.
        Duration waited = Duration.ZERO;
        for (int done = 1; done < Retries.TRIES; done++) {
            waited = waited.plus(Retries.delay("2", done));
        }
        assertEquals(Duration.ofSeconds(8), waited);
    }
}
