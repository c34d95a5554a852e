package io.duet.api.account;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The signup funnel marketing watches during a promotion: signups accepted, verification emails
 * queued, sent, accounts verified; and the time from signup to sent and from sent to verified.
 */
@Singleton
class Funnel {
    final Counter accepted;
    final Counter queued;
    final Counter sent;
    final Counter verified;
    private final Timer signupToSent;
    private final Timer sentToVerified;

    Funnel(MeterRegistry meters) {
        accepted = Counter.builder("duet.funnel.signups.accepted")
                .description("Signups answered 202")
                .register(meters);
        queued = Counter.builder("duet.funnel.emails.queued")
                .description("Verification emails queued")
                .register(meters);
        sent = Counter.builder("duet.funnel.emails.sent")
                .description("Verification emails handed to SMTP")
                .register(meters);
        verified = Counter.builder("duet.funnel.accounts.verified")
                .description("Accounts that confirmed their address")
                .register(meters);
        signupToSent = Timer.builder("duet.funnel.signup.to.sent")
                .description("From signup to its email sent")
                .publishPercentileHistogram()
                .register(meters);
        sentToVerified = Timer.builder("duet.funnel.sent.to.verified")
                .description("From the email sent to the account verified")
                .publishPercentileHistogram()
                .register(meters);
    }

    void signupToSent(Duration duration) {
        signupToSent.record(duration);
    }

    void sentToVerified(Duration duration) {
        sentToVerified.record(duration);
    }
}
