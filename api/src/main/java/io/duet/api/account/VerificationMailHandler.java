package io.duet.api.account;

import io.duet.api.mail.MailConfig;
import io.duet.api.mail.MailRejectedException;
import io.duet.api.mail.MailUnavailableException;
import io.duet.api.mail.Mailer;
import io.duet.api.queue.Job;
import io.duet.api.queue.JobHandler;
import io.duet.api.queue.PermanentJobFailure;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code email} queue: verification emails (the 6-digit code and the link) and "someone tried to
 * sign up with your address" notices, in the account's language, multipart text + HTML. Not
 * transactional: an SMTP send must not hold a database connection, and a batch of sends must never be
 * rolled back and repeated. A 5xx refusal dead-letters the job and marks the address undeliverable;
 * anything else is retried with backoff by the queue.
 */
@Singleton
class VerificationMailHandler implements JobHandler {
    static final String QUEUE = "email";
    private static final Logger LOG = LoggerFactory.getLogger(VerificationMailHandler.class);

    private final AccountRepository accounts;
    private final EmailVerificationRepository verifications;
    private final VerificationSecrets secrets;
    private final Mailer mailer;
    private final MailConfig mail;
    private final AccountConfig config;
    private final ObjectMapper json;
    private final Funnel funnel;

    VerificationMailHandler(
            AccountRepository accounts,
            EmailVerificationRepository verifications,
            VerificationSecrets secrets,
            Mailer mailer,
            MailConfig mail,
            AccountConfig config,
            ObjectMapper json,
            Funnel funnel) {
        this.accounts = accounts;
        this.verifications = verifications;
        this.secrets = secrets;
        this.mailer = mailer;
        this.mail = mail;
        this.config = config;
        this.json = json;
        this.funnel = funnel;
    }

    /** Version 1 of the payload: ids only, never the code or the address. */
    @Serdeable
    record MailJob(int v, String kind, UUID accountId, UUID verificationId) {}

    static String verification(UUID accountId, UUID verificationId) {
        return "{\"v\":1,\"kind\":\"verification\",\"accountId\":\"" + accountId + "\",\"verificationId\":\""
                + verificationId + "\"}";
    }

    static String takenNotice(UUID accountId) {
        return "{\"v\":1,\"kind\":\"taken\",\"accountId\":\"" + accountId + "\"}";
    }

    @Override
    public String queue() {
        return QUEUE;
    }

    @Override
    public boolean transactional() {
        return false;
    }

    /** The mail server refused, timed out or answered 4xx: it is away, the mail is not at fault. */
    @Override
    public boolean dependencyDown(Exception failure) {
        return failure instanceof MailUnavailableException;
    }

    @Override
    public void handle(Job job) throws Exception {
        MailJob payload = job.payload(
                json, MailJob.class, mail -> mail.v() == 1 && mail.accountId() != null && mail.kind() != null);
        Optional<Account> account = accounts.findByIdAndDeletedAtIsNull(payload.accountId());
        if (account.isEmpty()) {
            return;
        }
        MimeMessage message;
        EmailVerification verification = null;
        switch (payload.kind()) {
            case "verification" -> {
                verification = verifications
                        .findByIdAndAccountId(payload.verificationId(), payload.accountId())
                        .orElse(null);
                if (verification == null
                        || !verification.usable(Instant.now(), config.codeAttempts())
                        || account.get().verified()) {
                    return;
                }
                message = verificationMessage(
                        account.get(),
                        verification.locale() != null
                                ? verification.locale()
                                : account.get().locale(),
                        secrets.unseal(verification.sealed()),
                        verification.expiresAt());
            }
            case "taken" -> message = takenMessage(account.get());
            default -> throw new PermanentJobFailure("unknown email kind " + payload.kind());
        }
        try {
            mailer.send(message);
        } catch (MailRejectedException e) {
            accounts.markUndeliverable(account.get().id());
            LOG.atWarn()
                    .addKeyValue("accountId", account.get().id())
                    .addKeyValue("reply", e.replyCode())
                    .log("address refused by the mail server; marked undeliverable");
            throw new PermanentJobFailure(e.getMessage(), e);
        }
        if (verification != null) {
            verifications.countEmail(verification.id());
            funnel.sent.increment();
            funnel.signupToSent(Duration.between(account.get().createdAt(), Instant.now()));
        }
    }

    /** In the attempt's language; greets no name, since the name came with an anonymous request. */
    private MimeMessage verificationMessage(
            Account account, String locale, VerificationSecrets.Secrets secret, Instant expiresAt)
            throws MessagingException {
        ResourceBundle text = bundle(locale);
        String link = config.publicBaseUrl() + "/v1/accounts/verify?token="
                + URLEncoder.encode(secret.token(), StandardCharsets.UTF_8);
        long minutes = Math.max(1, Duration.between(Instant.now(), expiresAt).toMinutes());
        String plain = MessageFormat.format(text.getString("verification.text"), "", secret.code(), link, minutes);
        String html =
                MessageFormat.format(text.getString("verification.html"), "", secret.code(), escape(link), minutes);
        return compose(account, text.getString("verification.subject").replace("{0}", secret.code()), plain, html);
    }

    /**
     * To the owner of the address, greeting them by their own display name, but only as much of it as
     * {@link #greetingName} lets through; the subject carries no name at all.
     */
    private MimeMessage takenMessage(Account account) throws MessagingException {
        ResourceBundle text = bundle(account.locale());
        String name = greetingName(account.displayName());
        String greeting = name.isEmpty() ? "" : " " + name;
        String plain = MessageFormat.format(text.getString("taken.text"), greeting);
        String html = MessageFormat.format(text.getString("taken.html"), escape(greeting));
        return compose(account, text.getString("taken.subject"), plain, html);
    }

    /** Longest name a greeting carries, in code points. */
    static final int GREETING_NAME_MAX = 32;

    private static final java.util.regex.Pattern LINK_LIKE =
            java.util.regex.Pattern.compile("(?i)(://|www\\.|@|\\.[\\p{L}]{2,}(\\b|$))");

    /**
     * A display name as a mail greeting may carry it: control, format (bidi overrides and isolates,
     * zero-width characters), separator, private-use and unassigned characters dropped, whitespace
     * runs made one space, at most {@link #GREETING_NAME_MAX} code points (then an ellipsis). A name
     * that looks like a link or an address is not used at all (empty: the mail greets no name), so a
     * "name" cannot smuggle a sentence with a link into mail sent under Duet's name.
     */
    static String greetingName(String displayName) {
        if (displayName == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        boolean space = false;
        for (int cp : displayName.codePoints().toArray()) {
            int type = Character.getType(cp);
            if (Character.isWhitespace(cp)
                    || Character.isSpaceChar(cp)
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR
                    || cp == '\n'
                    || cp == '\r'
                    || cp == '\t') {
                space = out.length() > 0;
                continue;
            }
            if (type == Character.CONTROL
                    || type == Character.FORMAT
                    || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE
                    || type == Character.UNASSIGNED) {
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.appendCodePoint(cp);
        }
        String name = out.toString();
        if (LINK_LIKE.matcher(name).find()) {
            return "";
        }
        if (name.codePointCount(0, name.length()) > GREETING_NAME_MAX) {
            name = name.substring(0, name.offsetByCodePoints(0, GREETING_NAME_MAX))
                            .strip() + "…";
        }
        return name;
    }

    private MimeMessage compose(Account account, String subject, String plain, String html) throws MessagingException {
        MimeMessage message = new DuetMessage(mailer.session(), domainOf(mail.from()));
        message.setFrom(new InternetAddress(mail.from()));
        message.setReplyTo(InternetAddress.parse(mail.replyTo()));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(account.email()));
        message.setSubject(subject, "UTF-8");
        message.setSentDate(new Date());
        MimeBodyPart textPart = new MimeBodyPart();
        textPart.setText(plain, "UTF-8");
        MimeBodyPart htmlPart = new MimeBodyPart();
        htmlPart.setContent(html, "text/html; charset=UTF-8");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(textPart);
        alternative.addBodyPart(htmlPart);
        message.setContent(alternative);
        return message;
    }

    private static ResourceBundle bundle(String locale) {
        return ResourceBundle.getBundle("mail.messages", Locale.forLanguageTag(locale));
    }

    private static String domainOf(String from) {
        int at = from.lastIndexOf('@');
        return at < 0 ? "duet.local" : from.substring(at + 1).replace(">", "").strip();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    /** A Message-ID under our own domain rather than the sending host's name. */
    private static final class DuetMessage extends MimeMessage {
        private final String domain;

        DuetMessage(jakarta.mail.Session session, String domain) {
            super(session);
            this.domain = domain;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", "<" + UUID.randomUUID() + "@" + domain + ">");
        }
    }
}
