package io.duet.api.account;

import io.duet.api.web.ProblemException;
import io.micronaut.http.HttpStatus;

/** The account feature's failures (slugs listed in api/PROBLEMS.md). */
final class AccountProblems {
    private AccountProblems() {}

    /** One answer for a wrong, expired, used-up or unknown code or link: nothing to learn from it. */
    static final class VerificationFailedException extends ProblemException {
        VerificationFailedException() {
            super(
                    "verification-failed",
                    "Verification failed",
                    HttpStatus.BAD_REQUEST,
                    "The code or link is wrong, expired or used up. Ask for a new one.");
        }
    }

    static final class EmailNotVerifiedException extends ProblemException {
        EmailNotVerifiedException() {
            super(
                    "email-not-verified",
                    "Email not verified",
                    HttpStatus.FORBIDDEN,
                    "Confirm your email address with the code we sent before signing in.");
        }
    }
}
