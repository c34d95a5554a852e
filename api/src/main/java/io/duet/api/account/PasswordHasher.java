package io.duet.api.account;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import jakarta.inject.Singleton;

/**
 * argon2id (password4j) with the configured cost. Hashes are PHC strings that carry their own
 * parameters, so a cost raised in configuration still verifies old hashes and {@link #needsRehash}
 * tells login to upgrade them.
 */
@Singleton
class PasswordHasher {
    private static final int HASH_BYTES = 32;
    private final Argon2Function current;
    /** Verified against for unknown addresses, so that a login takes as long whether the account exists or not. */
    private final String decoy;

    PasswordHasher(AccountConfig config) {
        AccountConfig.Argon2 cost = config.argon2();
        this.current = Argon2Function.getInstance(cost.memoryKib(), cost.iterations(), cost.parallelism(), HASH_BYTES, Argon2.ID);
        this.decoy = current.hash("decoy password that matches nothing").getResult();
    }

    String hash(String password) {
        return current.hash(password).getResult();
    }

    boolean matches(String password, String hash) {
        return Argon2Function.getInstanceFromHash(hash).check(password, hash);
    }

    /** Burns the same CPU as a real check; used when there is no account to check against. */
    void matchDecoy(String password) {
        current.check(password, decoy);
    }

    boolean needsRehash(String hash) {
        Argon2Function used = Argon2Function.getInstanceFromHash(hash);
        return used.getMemory() != current.getMemory() || used.getIterations() != current.getIterations()
                || used.getParallelism() != current.getParallelism();
    }
}
