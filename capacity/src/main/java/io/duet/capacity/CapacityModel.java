package io.duet.capacity;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Turns a promotion's expected signups per minute into capacity, from measured inputs ({@link CapacityInputs}).
 * Every number is Little's law (concurrency = arrival rate x time in the system) over a measured cost:
 * <ul>
 *   <li>signup function: rate/s x (CPU ms / vCPU share + I/O ms) x headroom, at least the baseline;</li>
 *   <li>workers: emails/s / (measured emails/s per worker x target utilisation), at least the baseline;</li>
 *   <li>gateways: (baseline connections + signups/min x minutes connected) / connections per task, where a
 *       task holds (memory x share) / measured memory per connection; at least the baseline.</li>
 * </ul>
 * A promotion beyond the documented account limits (Lambda concurrency, SES sending rate) or the services'
 * ceilings fails synthesis and names its line of the promotions file.
 */
public final class CapacityModel {
    /** Lambda gives a function one full vCPU at this much memory, proportionally less below. */
    static final double MB_PER_VCPU = 1769;

    static final int MIN_SIGNUP_RESERVED = 50;

    private final CapacityInputs in;

    public CapacityModel(CapacityInputs inputs) {
        this.in = inputs;
    }

    public CapacityInputs inputs() {
        return in;
    }

    /** Seconds one signup occupies a function instance; argon2id runs on one thread, so more than a vCPU does not help. */
    public double signupSeconds() {
        double vcpu = Math.min(1.0, in.functionMemoryMb() / MB_PER_VCPU);
        return (in.cpuMsPerSignup() / vcpu + in.ioMsPerSignup()) / 1000.0;
    }

    /** Connections one gateway task holds within its memory share. */
    public long connectionsPerGateway() {
        return (long)
                Math.floor(in.gatewayTaskMemoryMb() * 1024.0 * in.connectionMemoryShare() / in.memoryKbPerConnection());
    }

    /** The most concurrency the signup function may reserve: the account's quota less what must stay unreserved. */
    public int signupConcurrencyCeiling() {
        return in.lambdaConcurrencyPerRegion() - in.lambdaUnreservedMinimum() - in.apiReservedConcurrency();
    }

    /**
     * The signup function's reserved concurrency in a region: half again the largest planned provisioned
     * concurrency (target tracking may go above the plan), at least {@value #MIN_SIGNUP_RESERVED}, at most the
     * ceiling. Reserving it keeps a burst of API calls from starving signups, and bounds what signups can take.
     */
    public int signupReservedConcurrency(Collection<CapacityPlan> plans) {
        int planned = plans.stream()
                .mapToInt(CapacityPlan::signupProvisionedConcurrency)
                .max()
                .orElse(0);
        return Math.min(signupConcurrencyCeiling(), Math.max(MIN_SIGNUP_RESERVED, (int) Math.ceil(planned * 1.5)));
    }

    public int gatewaysFor(long connections) {
        return Math.max(in.baselineGateways(), (int) Math.ceil((double) connections / connectionsPerGateway()));
    }

    /**
     * What a region needs at a peak of {@code signupsPerMinute}, e.g. for the ops page's promotion panel.
     *
     * @throws InvalidPromotionException beyond an account limit or a service's ceiling, saying which
     */
    public Needs needs(int signupsPerMinute) {
        return needs(signupsPerMinute, signupsPerMinute + " signups/min: ");
    }

    public CapacityPlan plan(Promotion p) {
        Needs needs = needs(
                p.signupsPerMinute(),
                "promotions line " + p.line() + " ('" + p.name() + "', " + p.signupsPerMinute() + " signups/min): ");
        Instant raiseAt = p.start().minus(Duration.ofMinutes(in.leadMinutes()));
        Instant lowerAt = p.end().plus(Duration.ofMinutes(in.tailMinutes()));
        return new CapacityPlan(
                p,
                raiseAt,
                lowerAt,
                needs.signupProvisionedConcurrency(),
                needs.emailsPerSecond(),
                needs.workers(),
                needs.connections(),
                needs.gateways());
    }

    private Needs needs(int signupsPerMinute, String at) {
        if (signupsPerMinute < 0) {
            throw new InvalidPromotionException(at + "a rate of signups cannot be negative");
        }
        double perSecond = signupsPerMinute / 60.0;
        int concurrency = Math.max(
                in.baselineProvisionedConcurrency(), (int) Math.ceil(perSecond * signupSeconds() * in.headroom()));
        if (concurrency > signupConcurrencyCeiling()) {
            throw new InvalidPromotionException(at + "needs " + concurrency
                    + " provisioned signup instances, beyond the "
                    + signupConcurrencyCeiling() + " this account's Lambda concurrency allows ("
                    + in.lambdaConcurrencyPerRegion()
                    + " per region, " + in.lambdaUnreservedMinimum() + " unreserved); ask for a quota increase first");
        }
        double emails = perSecond * in.emailsPerSignup();
        if (emails > in.sesSendRatePerSecond()) {
            throw new InvalidPromotionException(
                    at + "sends " + Math.round(emails) + " verification emails/s, beyond the account's SES rate of "
                            + Math.round(in.sesSendRatePerSecond()) + "/s; ask for a sending-rate increase first");
        }
        int workers = Math.max(in.baselineWorkers(), (int)
                Math.ceil(emails / (in.emailsPerSecondPerWorker() * in.emailTargetUtilization())));
        if (workers > in.maxWorkers()) {
            throw new InvalidPromotionException(
                    at + "needs " + workers + " workers, beyond the worker service's ceiling of " + in.maxWorkers());
        }
        long connections = in.baselineConnections() + Math.round(signupsPerMinute * in.minutesConnectedPerNewUser());
        int gateways = gatewaysFor(connections);
        if (gateways > in.maxGateways()) {
            throw new InvalidPromotionException(at + "needs " + gateways
                    + " gateways, beyond the gateway service's ceiling of " + in.maxGateways());
        }
        return new Needs(signupsPerMinute, concurrency, emails, workers, connections, gateways);
    }

    /**
     * What a region needs at one peak rate of signups.
     *
     * @param signupsPerMinute the rate it is for
     * @param signupProvisionedConcurrency provisioned concurrency of the signup alias
     * @param emailsPerSecond verification emails per second
     * @param workers worker tasks
     * @param connections concurrent realtime connections
     * @param gateways gateway tasks
     */
    public record Needs(
            int signupsPerMinute,
            int signupProvisionedConcurrency,
            double emailsPerSecond,
            int workers,
            long connections,
            int gateways) {}

    /**
     * Plans the promotions that are not over at {@code now}; a promotion already over is dropped (its
     * scheduled actions would never run). All are validated, past ones included, so a bad line fails anyway.
     */
    public List<CapacityPlan> plan(Collection<Promotion> promotions, Instant now) {
        return promotions.stream()
                .map(this::plan)
                .filter(plan -> plan.lowerAt().isAfter(now))
                .toList();
    }
}
