package io.duet.api.snapshot;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The process's secure random generators, kept in one list so that a snapshot restore can reseed them.
 * A Lambda SnapStart snapshot is restored into many execution environments at once: without a reseed,
 * a generator whose state lives in the heap would hand every copy the same verification codes, refresh
 * tokens and job ids. {@link #reseedAll()} mixes fresh operating-system entropy into each of them.
 */
public final class SnapshotRandom {
    private static final List<SecureRandom> GENERATORS = new CopyOnWriteArrayList<>();

    private SnapshotRandom() {}

    /** A new {@code SecureRandom} that {@link #reseedAll()} will reseed. */
    public static SecureRandom create() {
        return register(new SecureRandom());
    }

    /** Puts a generator made elsewhere on the list; returns it. */
    public static SecureRandom register(SecureRandom random) {
        GENERATORS.add(random);
        return random;
    }

    /** Mixes 32 bytes of fresh entropy and the clock into every generator; returns how many there were. */
    public static int reseedAll() {
        SecureRandom source = freshSource();
        for (SecureRandom random : GENERATORS) {
            byte[] seed = new byte[40];
            source.nextBytes(seed);
            ByteBuffer.wrap(seed, 32, 8).putLong(System.nanoTime());
            random.setSeed(seed);
        }
        return GENERATORS.size();
    }

    /** Reads /dev/urandom afresh: a generator created after the restore carries no snapshot state. */
    private static SecureRandom freshSource() {
        try {
            return SecureRandom.getInstance("NativePRNGNonBlocking");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
