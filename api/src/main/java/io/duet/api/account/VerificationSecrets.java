package io.duet.api.account;

import io.duet.api.snapshot.SnapshotRandom;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes and protects verification secrets: a 6-digit code and a 128-bit link token from a CSPRNG.
 * Both are stored as HMAC-SHA256 (so a database leak does not reveal them, and a 6-digit code cannot be
 * brute-forced offline without the key), and sealed together with AES-GCM so that a resend can repeat
 * the code that is still valid. Keys are derived from {@code DUET_JWT_SECRET}.
 */
@Singleton
class VerificationSecrets {
    private static final int GCM_TAG_BITS = 128;
    private final SecureRandom random = SnapshotRandom.create();
    /** Keyed once; each use takes a clone, which skips the provider lookup and the key schedule. */
    private final Mac macPrototype;

    private final SecretKeySpec sealKey;

    VerificationSecrets(@Value("${duet.jwt.secret}") String secret) {
        byte[] master = secret.getBytes(StandardCharsets.UTF_8);
        try {
            this.macPrototype = Mac.getInstance("HmacSHA256");
            macPrototype.init(new SecretKeySpec(derive(master, "duet verification mac"), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.sealKey = new SecretKeySpec(java.util.Arrays.copyOf(derive(master, "duet verification seal"), 32), "AES");
    }

    record Secrets(String code, String token) {}

    Secrets mint() {
        String code = String.format("%06d", random.nextInt(1_000_000));
        byte[] token = new byte[16];
        random.nextBytes(token);
        return new Secrets(code, Base64.getUrlEncoder().withoutPadding().encodeToString(token));
    }

    byte[] hash(String secret) {
        try {
            return ((Mac) macPrototype.clone()).doFinal(secret.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean matches(String secret, byte[] hash) {
        return MessageDigest.isEqual(hash(secret), hash);
    }

    byte[] seal(Secrets secrets) {
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(GCM_TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal((secrets.code() + ":" + secrets.token()).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(nonce.length + sealed.length)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Secrets unseal(byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(GCM_TAG_BITS, sealed, 0, 12));
            String plain = new String(cipher.doFinal(sealed, 12, sealed.length - 12), StandardCharsets.UTF_8);
            int colon = plain.indexOf(':');
            return new Secrets(plain.substring(0, colon), plain.substring(colon + 1));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a verification could not be unsealed (was DUET_JWT_SECRET changed?)", e);
        }
    }

    private static byte[] derive(byte[] master, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
