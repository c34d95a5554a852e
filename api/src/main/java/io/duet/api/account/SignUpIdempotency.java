package io.duet.api.account;

import io.duet.api.web.IdempotencyKeyReusedException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HexFormat;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Idempotency-Key} for signup: the same key with the same body within 24 h answers the first
 * answer (the uniform 202) without doing anything again; the same key with another body is refused.
 * The body is remembered only as an HMAC, never in clear (it holds a password).
 */
@Singleton
class SignUpIdempotency {
    private static final Logger LOG = LoggerFactory.getLogger(SignUpIdempotency.class);
    static final Duration TTL = Duration.ofHours(24);
    private final RedissonClient redis;
    private final VerificationSecrets secrets;

    SignUpIdempotency(RedissonClient redis, VerificationSecrets secrets) {
        this.redis = redis;
        this.secrets = secrets;
    }

    /**
     * True when this key was already used with this body: answer again without a new effect. When Redis
     * does not answer, the request is taken as new: a signup repeated is harmless (the same 202, at most one
     * mail a minute per address), a signup refused with 500 is not.
     */
    boolean replay(String key, AccountMessages.SignUpRequest request) {
        try {
            return remembered(key, request);
        } catch (RedisException e) {
            LOG.atWarn()
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("Redis does not answer: Idempotency-Key not checked, the signup runs as new");
            return false;
        }
    }

    private boolean remembered(String key, AccountMessages.SignUpRequest request) {
        String fingerprint = fingerprint(request);
        RBucket<String> bucket =
                redis.getBucket("duet:idem:signup:" + HexFormat.of().formatHex(secrets.hash(key)));
        if (bucket.setIfAbsent(fingerprint, TTL)) {
            return false;
        }
        String first = bucket.get();
        if (first == null) {
            return !bucket.setIfAbsent(fingerprint, TTL);
        }
        if (!first.equals(fingerprint)) {
            throw new IdempotencyKeyReusedException();
        }
        return true;
    }

    /** The request failed: the key may be used again (best effort: the key expires anyway). */
    void release(String key) {
        try {
            redis.getBucket("duet:idem:signup:" + HexFormat.of().formatHex(secrets.hash(key)))
                    .delete();
        } catch (RedisException e) {
            LOG.atWarn()
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("Idempotency-Key not released; it expires in 24 h");
        }
    }

    private String fingerprint(AccountMessages.SignUpRequest request) {
        return HexFormat.of()
                .formatHex(secrets.hash(
                        request.email() + "\u0000" + request.password() + "\u0000" + request.displayName()));
    }
}
