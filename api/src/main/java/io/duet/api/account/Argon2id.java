package io.duet.api.account;

import io.duet.api.snapshot.SnapshotRandom;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * argon2id password hashes as PHC strings ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}, unpadded
 * base64), computed by Bouncy Castle. A stored hash carries its own cost, so hashes made with an older
 * cost (or by another implementation that writes the same format) still verify and can be recognised
 * for an upgrade.
 */
public final class Argon2id {
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=(16|19)\\$m=(\\d{1,8}),t=(\\d{1,4}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{11,86})\\$([A-Za-z0-9+/]{22,86})");
    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    /** The cost of a hash: memory in KiB, passes over it, lanes. */
    public record Cost(int memoryKib, int iterations, int parallelism) {
        public Cost {
            if (parallelism < 1 || iterations < 1 || memoryKib < 8 * parallelism) {
                throw new IllegalArgumentException(
                        "argon2id needs parallelism >= 1, iterations >= 1 and memory >= 8 KiB per lane");
            }
        }
    }

    private final Cost cost;
    private final SecureRandom random = SnapshotRandom.create();

    public Argon2id(Cost cost) {
        this.cost = cost;
    }

    /** A new hash of {@code password} with the current cost and a fresh 16-byte salt. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, cost, Argon2Parameters.ARGON2_VERSION_13, HASH_BYTES);
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism() + "$"
                + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
    }

    /**
     * Whether {@code password} is the one {@code stored} was made from, compared in constant time. A stored
     * value that is not an argon2id PHC string matches nothing.
     */
    public static boolean matches(String password, String stored) {
        Matcher phc = PHC.matcher(stored);
        if (!phc.matches()) {
            return false;
        }
        try {
            Cost used = costOf(phc);
            byte[] salt = DECODER.decode(phc.group(5));
            byte[] expected = DECODER.decode(phc.group(6));
            int version =
                    phc.group(1).equals("16") ? Argon2Parameters.ARGON2_VERSION_10 : Argon2Parameters.ARGON2_VERSION_13;
            return MessageDigest.isEqual(expected, derive(password, salt, used, version, expected.length));
        } catch (IllegalArgumentException malformed) {
            // base64 of an impossible length, or a cost no argon2id hash can have
            return false;
        }
    }

    /** Whether {@code stored} was made with another cost than this hasher's (or is not one of ours at all). */
    public boolean outdated(String stored) {
        Matcher phc = PHC.matcher(stored);
        if (!phc.matches() || !phc.group(1).equals("19")) {
            return true;
        }
        try {
            return !costOf(phc).equals(cost);
        } catch (IllegalArgumentException impossibleCost) {
            return true;
        }
    }

    private static Cost costOf(Matcher phc) {
        return new Cost(Integer.parseInt(phc.group(2)), Integer.parseInt(phc.group(3)), Integer.parseInt(phc.group(4)));
    }

    private static byte[] derive(String password, byte[] salt, Cost cost, int version, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(version)
                .withMemoryAsKB(cost.memoryKib())
                .withIterations(cost.iterations())
                .withParallelism(cost.parallelism())
                .withSalt(salt)
                .build());
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
