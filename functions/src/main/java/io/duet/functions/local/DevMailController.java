package io.duet.functions.local;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /dev/mail}: what the in-process SMTP server of the local stack received, newest first, so a
 * developer can read verification emails without a mail account. Exists only in {@code ./duet run}.
 */
@Controller("/dev/mail")
@Requires(property = "duet.dev.mail.enabled", value = "true")
@Requires(beans = GreenMail.class)
@ExecuteOn(TaskExecutors.BLOCKING)
@Hidden
final class DevMailController {
    private final GreenMail mail;

    DevMailController(GreenMail mail) {
        this.mail = mail;
    }

    @Get
    List<ReceivedMail> list() throws MessagingException {
        List<ReceivedMail> received = new ArrayList<>();
        for (MimeMessage message : mail.getReceivedMessages()) {
            received.add(new ReceivedMail(
                    addresses(message.getFrom()),
                    addresses(message.getAllRecipients()),
                    message.getSubject(),
                    message.getSentDate() == null ? null : message.getSentDate().toInstant(),
                    GreenMailUtil.getBody(message)));
        }
        return received.reversed();
    }

    private static List<String> addresses(Address[] addresses) {
        return addresses == null ? List.of() : Arrays.stream(addresses).map(Address::toString).toList();
    }

    @Serdeable
    record ReceivedMail(List<String> from, List<String> to, String subject, Instant sentAt, String body) {}
}
