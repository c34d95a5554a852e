package io.duet.api.couple;

import io.duet.api.web.ProblemException;
import io.micronaut.http.HttpStatus;

/** The couple feature's failures (slugs listed in api/PROBLEMS.md). */
public final class CoupleProblems {
    private CoupleProblems() {}

    public static final class NotPairedException extends ProblemException {
        NotPairedException() {
            super(
                    "not-paired",
                    "Not paired",
                    HttpStatus.NOT_FOUND,
                    "You are not in a couple. Create an invite or join your partner's.");
        }
    }

    public static final class CoupleEndedException extends ProblemException {
        public CoupleEndedException() {
            super(
                    "couple-ended",
                    "Couple ended",
                    HttpStatus.CONFLICT,
                    "This couple has ended; its history can be read but not added to.");
        }
    }

    public static final class NotVerifiedException extends ProblemException {
        NotVerifiedException() {
            super(
                    "email-not-verified",
                    "Email not verified",
                    HttpStatus.FORBIDDEN,
                    "Confirm your email address before pairing.");
        }
    }

    static final class AlreadyPairedException extends ProblemException {
        AlreadyPairedException() {
            super(
                    "already-paired",
                    "Already paired",
                    HttpStatus.CONFLICT,
                    "You are already in a couple. Unpair first to start another.");
        }
    }

    /** One answer for a wrong, expired or used code: nothing to learn from it. */
    static final class InviteNotFoundException extends ProblemException {
        InviteNotFoundException() {
            super(
                    "invite-not-found",
                    "Invite not found",
                    HttpStatus.NOT_FOUND,
                    "This code is wrong, expired or already used. Ask your partner for a new one.");
        }
    }

    static final class OwnInviteException extends ProblemException {
        OwnInviteException() {
            super(
                    "own-invite",
                    "Own invite",
                    HttpStatus.CONFLICT,
                    "This is your own invite code: your partner joins with it.");
        }
    }
}
