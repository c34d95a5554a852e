package io.duet.api.account;

import com.icegreen.greenmail.base.GreenMailOperations;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what the real (in-process) SMTP server received for one address. */
final class Mailbox {
    private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
    private static final Pattern LINK = Pattern.compile("(http://\\S+/v1/accounts/verify\\?token=[A-Za-z0-9_%-]+)");

    private Mailbox() {}

    static List<MimeMessage> to(GreenMailOperations mail, String address) {
        return Arrays.stream(mail.getReceivedMessages())
                .filter(message -> {
                    try {
                        return Arrays.stream(message.getRecipients(Message.RecipientType.TO))
                                .anyMatch(recipient -> recipient.toString().equalsIgnoreCase(address));
                    } catch (Exception e) {
                        return false;
                    }
                })
                .toList();
    }

    static List<MimeMessage> await(GreenMailOperations mail, String address, int count, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<MimeMessage> received = to(mail, address);
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " emails to " + address + ", got " + received.size());
            }
            Thread.sleep(50);
            received = to(mail, address);
        }
        return received;
    }

    /** The text/plain part, decoded. */
    static String text(MimeMessage message) throws Exception {
        MimeMultipart alternative = (MimeMultipart) message.getContent();
        for (int i = 0; i < alternative.getCount(); i++) {
            if (alternative.getBodyPart(i).isMimeType("text/plain")) {
                return (String) alternative.getBodyPart(i).getContent();
            }
        }
        throw new AssertionError("no text part");
    }

    static String code(MimeMessage message) throws Exception {
        Matcher matcher = CODE.matcher(text(message));
        if (!matcher.find()) {
            throw new AssertionError("no code in " + text(message));
        }
        return matcher.group(1);
    }

    static String link(MimeMessage message) throws Exception {
        Matcher matcher = LINK.matcher(text(message));
        if (!matcher.find()) {
            throw new AssertionError("no link in " + text(message));
        }
        return matcher.group(1);
    }
}
