package io.duet.api.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.StreamProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Jakarta Mail would look its stream provider up through a ServiceLoader (a scan of the class path) for
 * every body part; the {@link Mailer} names the provider once, and messages are still built and written.
 */
class MailerStreamProviderTest {

    @Test
    void givenMailer_whenBodyPartsAreBuilt_thenTheProviderIsNamedAndMessagesStillWrite() throws Exception {
        new Mailer(new MailConfig(
                new MailConfig.Smtp(
                        "127.0.0.1", 2525, "", "", false, false, Duration.ofSeconds(1), Duration.ofSeconds(1), ""),
                "Duet <hello@duet.local>",
                "support@duet.local",
                1));

        assertEquals(
                "org.eclipse.angus.mail.util.MailStreamProvider", System.getProperty(StreamProvider.class.getName()));
        assertEquals(
                "org.eclipse.angus.mail.util.MailStreamProvider",
                StreamProvider.provider().getClass().getName());

        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Your code is 123456", "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>Your code is <b>123456</b></p>", "text/html; charset=UTF-8");
        message.setContent(new MimeMultipart("alternative", text, html));
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);

        String written = out.toString(StandardCharsets.UTF_8);
        assertTrue(written.contains("Your code is 123456"), written);
        assertTrue(written.contains("<b>123456</b>"), written);
    }
}
