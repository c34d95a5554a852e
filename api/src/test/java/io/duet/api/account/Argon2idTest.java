package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PHC format and the hash itself, checked against a second, independent argon2id implementation
 * (password4j, which Duet used before): existing accounts' hashes must keep verifying.
 */
class Argon2idTest {
    private static final Argon2id.Cost SMALL = new Argon2id.Cost(1024, 2, 1);
    private final Argon2id argon2 = new Argon2id(SMALL);

    @ParameterizedTest
    @ValueSource(
            strings = {"correct-Horse-battery-9", "pässwörd mit Ümlauten", "密码密码密码密码", "🔑🔑 emoji key 🔑🔑", "        "
            })
    void givenOwnHash_whenTheOtherImplementationChecksIt_thenBothAgree(String password) {
        String hash = argon2.hash(password);

        assertTrue(hash.startsWith("$argon2id$v=19$m=1024,t=2,p=1$"), hash);
        assertTrue(Argon2id.matches(password, hash));
        assertTrue(Argon2Function.getInstanceFromHash(hash).check(password, hash));
        assertFalse(Argon2id.matches(password + "x", hash));
    }

    @ParameterizedTest
    @ValueSource(strings = {"correct-Horse-battery-9", "pässwörd mit Ümlauten", "🔑🔑 emoji key 🔑🔑"})
    void givenHashFromTheOtherImplementation_whenChecked_thenItMatchesOnlyItsPassword(String password) {
        String hash = Argon2Function.getInstance(2048, 3, 2, 32, Argon2.ID)
                .hash(password)
                .getResult();

        assertTrue(Argon2id.matches(password, hash), hash);
        assertFalse(Argon2id.matches(password.substring(1), hash));
        assertTrue(argon2.outdated(hash), "another cost is outdated");
    }

    @Test
    void givenVersion16Hash_whenChecked_thenMatchesAndIsOutdated() {
        String hash = Argon2Function.getInstance(1024, 2, 1, 32, Argon2.ID, Argon2Function.ARGON2_VERSION_10)
                .hash("old-version-password")
                .getResult();

        assertTrue(hash.startsWith("$argon2id$v=16$"), hash);
        assertTrue(Argon2id.matches("old-version-password", hash));
        assertTrue(argon2.outdated(hash));
    }

    @Test
    void givenSamePasswordTwice_whenHashed_thenSaltsDifferAndCostIsCurrent() {
        String first = argon2.hash("same password");
        String second = argon2.hash("same password");

        assertNotEquals(first, second);
        assertFalse(argon2.outdated(first));
        assertTrue(new Argon2id(new Argon2id.Cost(2048, 2, 1)).outdated(first));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "plain text",
                "$argon2i$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0",
                "$argon2id$v=19$m=1024,t=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "$argon2id$v=20$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "$argon2id$v=19$m=4,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
            })
    void givenStoredValueThatIsNoArgon2idHash_whenChecked_thenNothingMatchesAndItIsOutdated(String stored) {
        assertFalse(Argon2id.matches("anything", stored));
        assertTrue(argon2.outdated(stored));
    }

    @Test
    void givenSaltOfImpossibleBase64Length_whenChecked_thenNothingMatches() {
        // 17 base64 characters cannot encode whole bytes: refused, not a 500
        assertFalse(Argon2id.matches(
                "anything",
                "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0c$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"));
    }

    @Test
    void givenImpossibleCost_whenConfigured_thenRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Argon2id.Cost(4, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Argon2id.Cost(1024, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Argon2id.Cost(1024, 1, 0));
        assertEquals(19456, new Argon2id.Cost(19456, 2, 1).memoryKib());
    }
}
