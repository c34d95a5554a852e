package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.Api;
import io.duet.api.testing.People;
import io.duet.api.testing.Smtp;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The "someone tried to sign up with your address" notice greets the owner by name, but the name that
 * reaches the mail is bounded: no control or bidi characters, at most 32 code points, nothing that
 * looks like a link; the subject carries no name.
 */
@MicronautTest(transactional = false)
class TakenNoticeNameTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Test
    void givenNames_whenMadeGreetings_thenOnlyVisibleTextBoundedAndNoLinks() {
        assertEquals("Ada", VerificationMailHandler.greetingName("Ada"));
        assertEquals("Ada Lovelace", VerificationMailHandler.greetingName("  Ada\r\n\t Lovelace\u2028"));
        assertEquals(
                "Adaecila",
                VerificationMailHandler.greetingName("Ada\u202Eecila\u202C\u200B"),
                "bidi override and zero-width dropped");
        assertEquals("Zoë 🎶 Lee", VerificationMailHandler.greetingName("Zoë\u2066 🎶\u2069 Lee"));
        assertEquals("x".repeat(32) + "…", VerificationMailHandler.greetingName("x".repeat(64)));
        assertEquals("", VerificationMailHandler.greetingName("Ada, verify at https://evil.example"));
        assertEquals("", VerificationMailHandler.greetingName("support@duet-help.example"));
        assertEquals("", VerificationMailHandler.greetingName("Ada go to duet-login.com"));
        assertEquals("", VerificationMailHandler.greetingName("\u202E\u0000"));
        assertEquals("", VerificationMailHandler.greetingName(null));
    }

    @Test
    void givenOwnerWithAHostileDisplayName_whenSomeoneSignsUpWithTheAddress_thenTheNoticeCarriesOnlyTheBoundedName()
            throws Exception {
        String hostile = "Ada\u202E Lovelace\u2066\r\nYour account is locked!!! Reply with your password now";
        People.Person owner = People.verified(hostile);
        Api api = new Api(server.getPort(), json);

        assertEquals(
                202,
                api.post(
                                "/v1/accounts",
                                Map.of(
                                        "email",
                                        owner.email(),
                                        "password",
                                        "another-Secret-77",
                                        "displayName",
                                        "Intruder"))
                        .status());

        MimeMessage notice =
                Mailbox.await(MAIL, owner.email(), 1, Duration.ofSeconds(15)).getFirst();
        String text = Mailbox.text(notice);
        assertEquals("Someone tried to create a Duet account with your address", notice.getSubject());
        assertTrue(text.startsWith("Hi Ada Lovelace Your account is loc…,"), text);
        assertFalse(text.contains("password now"), text);
        assertFalse(text.contains("\u202E") || text.contains("\u2066"), "no bidi controls");
        assertFalse(text.contains("Intruder"), "the stranger's name never reaches the owner");
    }

    @Test
    void givenOwnerWithALinkAsName_whenNoticed_thenGreetedWithoutAName() throws Exception {
        People.Person owner = People.verified("Log in at duet-secure.example");
        Api api = new Api(server.getPort(), json);

        assertEquals(
                202,
                api.post(
                                "/v1/accounts",
                                Map.of(
                                        "email",
                                        owner.email(),
                                        "password",
                                        "another-Secret-77",
                                        "displayName",
                                        "Intruder"))
                        .status());

        String text = Mailbox.text(
                Mailbox.await(MAIL, owner.email(), 1, Duration.ofSeconds(15)).getFirst());
        assertTrue(text.startsWith("Hi,"), text);
        assertFalse(text.contains("duet-secure"), text);
    }
}
