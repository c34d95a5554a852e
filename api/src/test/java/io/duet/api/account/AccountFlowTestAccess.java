package io.duet.api.account;

import com.icegreen.greenmail.base.GreenMailOperations;
import io.duet.api.testing.Api;

/** The account journey's helpers for tests of other features (sessions) that need a real signed-up account. */
public final class AccountFlowTestAccess {
    public static final String PASSWORD = AccountFlowTest.PASSWORD;

    private AccountFlowTestAccess() {}

    /** Signs up with {@link AccountFlowTest#PASSWORD}, verifies with the mailed code; returns the tokens. */
    public static Api.Answer signUpAndVerify(Api api, GreenMailOperations mail, String email) throws Exception {
        return AccountFlowTest.signUpAndVerify(api, mail, email);
    }
}
