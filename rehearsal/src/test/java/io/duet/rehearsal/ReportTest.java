package io.duet.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The capacity plan's latency: a request's own, taken where the machine is not saturated. */
class ReportTest {
    // 100 s of load: steady 20, ramp 10, peak 40, ramp 10, steady 20.
    private final LoadPlan plan = new LoadPlan("http://api", "http://sink", "ledger.txt", 0.1, 30, 20, 10, 40);

    @Test
    void theUsualRateIsTheSteadyPhasesBeforeAndAfterTheSpike() {
        assertTrue(Report.atUsualRate(0, plan));
        assertTrue(Report.atUsualRate(19_999, plan));
        assertFalse(Report.atUsualRate(20_000, plan), "the ramp up");
        assertFalse(Report.atUsualRate(50_000, plan), "the peak");
        assertFalse(Report.atUsualRate(79_999, plan), "the ramp down");
        assertTrue(Report.atUsualRate(80_000, plan));
        assertTrue(Report.atUsualRate(120_000, plan), "a retry after the schedule ended");
        assertFalse(Report.atUsualRate(-1, plan), "before the load");
    }

    @Test
    void givenRequestsQueuedAtThePeak_whenTheLatencyIsTakenAtTheUsualRate_thenTheQueueIsNotCounted() {
        long start = 1_000_000;
        List<Ledger.Line> load = List.of(
                line(start + 1_000, 80),
                line(start + 50_000, 9_000), // queued behind the cores at the peak
                line(start + 51_000, 7_000),
                line(start + 90_000, 120));

        List<Ledger.Line> usual = load.stream()
                .filter(l -> Report.atUsualRate(l.start() - start, plan))
                .toList();

        assertEquals(0.1, Report.meanSeconds(usual, 0), 1e-9);
        assertEquals(4.05, Report.meanSeconds(load, 0), 1e-9, "what the plan used before: the peak's queue counted");
        assertEquals(0.3, Report.meanSeconds(List.of(), 0.3), 1e-9);
    }

    @Test
    void givenEnoughRequestsAtTheUsualRate_thenLambdaIsSizedFromThem_elseFromEveryRequestAndTheSourceSaysSo() {
        long start = 1_000_000;
        List<Ledger.Line> steady = new java.util.ArrayList<>();
        for (int i = 0; i < Report.MIN_USUAL_RATE_REQUESTS; i++) {
            steady.add(line(start + 1_000 + i, 100));
        }
        steady.add(line(start + 50_000, 4_500));
        // Retried through a 503's Retry-After: its span is mostly the client waiting, not a busy instance.
        steady.add(
                new Ledger.Line("signup", "retried", start + 2_000, start + 10_000, "202", "-", List.of("503", "202")));

        Report.LatencySample enough = Report.lambdaLatencySample(steady, start, plan);
        Report.LatencySample few = Report.lambdaLatencySample(steady.subList(40, steady.size()), start, plan);

        assertEquals(0.1, Report.meanSeconds(enough.lines(), 0), 1e-9);
        assertTrue(enough.source().contains("the ramps and peak had a mean of 4.500 s"), enough.source());
        assertEquals(0.5, Report.meanSeconds(few.lines(), 0), 1e-9, "ten at 0.1 s and the peak's 4.5 s: 5.5 s over 11");
        assertTrue(few.source().startsWith("only 10 requests at the usual rate"), few.source());
    }

    private static Ledger.Line line(long start, long millis) {
        return new Ledger.Line("login", "k" + start, start, start + millis, "200", "-");
    }
}
