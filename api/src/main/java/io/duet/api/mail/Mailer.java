package io.duet.api.mail;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.StreamProvider;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends email over a small pool of open SMTP connections: a connection (and its TLS session) serves
 * many emails, and a broken one is closed and replaced. Failures are classified for the job queue: a
 * 5xx refusal is {@link MailRejectedException} (dead-letter, mark the address), everything else is
 * {@link MailUnavailableException} (retry with backoff).
 */
@Singleton
public class Mailer {
    private static final Logger LOG = LoggerFactory.getLogger(Mailer.class);

    static {
        // Jakarta Mail finds its StreamProvider anew for every body part it builds and every one it writes:
        // a ServiceLoader lookup, which scans every jar on the class path (seen in JFR profiles of the email
        // worker). Its FactoryFinder reads a system property named after the interface first, so naming
        // Angus Mail's provider there turns the scan into a class lookup. A value set by the operator wins.
        if (System.getProperty(StreamProvider.class.getName()) == null) {
            System.setProperty(StreamProvider.class.getName(), "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    private final MailConfig config;
    private final Session session;
    private final BlockingQueue<Transport> idle;

    public Mailer(MailConfig config) {
        this.config = config;
        MailConfig.Smtp smtp = config.smtp();
        String protocol = smtp.ssl() ? "smtps" : "smtp";
        Properties properties = new Properties();
        properties.put("mail.transport.protocol", protocol);
        properties.put("mail." + protocol + ".host", smtp.host());
        properties.put("mail." + protocol + ".port", Integer.toString(smtp.port()));
        properties.put(
                "mail." + protocol + ".connectiontimeout",
                Long.toString(smtp.connectTimeout().toMillis()));
        properties.put(
                "mail." + protocol + ".timeout", Long.toString(smtp.timeout().toMillis()));
        properties.put(
                "mail." + protocol + ".writetimeout",
                Long.toString(smtp.timeout().toMillis()));
        properties.put("mail." + protocol + ".auth", Boolean.toString(hasCredentials(smtp)));
        if (smtp.sslTrust() != null && !smtp.sslTrust().isBlank()) {
            properties.put("mail." + protocol + ".ssl.trust", smtp.sslTrust());
            // A trusted local sink's self-signed certificate names no host either.
            properties.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        }
        if (smtp.starttls()) {
            properties.put("mail.smtp.starttls.enable", "true");
            properties.put("mail.smtp.starttls.required", "true");
        }
        this.session = Session.getInstance(properties);
        this.idle = new LinkedBlockingQueue<>(config.poolSize());
    }

    public Session session() {
        return session;
    }

    public void send(MimeMessage message) throws MailRejectedException, MailUnavailableException {
        Transport transport = null;
        try {
            transport = borrow();
            message.saveChanges();
            transport.sendMessage(message, message.getAllRecipients());
            giveBack(transport);
        } catch (SendFailedException e) {
            closeQuietly(transport);
            int code = replyCode(e);
            if (code >= 500 && code < 600) {
                throw new MailRejectedException(code, firstLine(e), e);
            }
            throw new MailUnavailableException("SMTP " + (code > 0 ? code : "send") + " failed: " + firstLine(e), e);
        } catch (MessagingException e) {
            closeQuietly(transport);
            throw new MailUnavailableException(
                    "SMTP unavailable: " + e.getClass().getSimpleName(), e);
        }
    }

    private Transport borrow() throws MessagingException {
        Transport pooled;
        while ((pooled = idle.poll()) != null) {
            if (pooled.isConnected()) {
                return pooled;
            }
            closeQuietly(pooled);
        }
        Transport transport = session.getTransport();
        MailConfig.Smtp smtp = config.smtp();
        if (hasCredentials(smtp)) {
            transport.connect(smtp.host(), smtp.port(), smtp.user(), smtp.password());
        } else {
            transport.connect();
        }
        return transport;
    }

    private void giveBack(Transport transport) {
        if (!idle.offer(transport)) {
            closeQuietly(transport);
        }
    }

    private static int replyCode(MessagingException e) {
        for (Exception next = e;
                next != null;
                next = next instanceof MessagingException m ? m.getNextException() : null) {
            if (next instanceof SMTPAddressFailedException address) {
                return address.getReturnCode();
            }
            if (next instanceof SMTPSendFailedException send) {
                return send.getReturnCode();
            }
        }
        if (e instanceof SendFailedException failed) {
            Address[] invalid = failed.getInvalidAddresses();
            if (invalid != null && invalid.length > 0) {
                return 550;
            }
        }
        return -1;
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        String line = newline >= 0 ? message.substring(0, newline) : message;
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    private static boolean hasCredentials(MailConfig.Smtp smtp) {
        return smtp.user() != null && !smtp.user().isBlank();
    }

    private static void closeQuietly(Transport transport) {
        if (transport == null) {
            return;
        }
        try {
            transport.close();
        } catch (MessagingException e) {
            LOG.atDebug().log("closing an SMTP connection failed");
        }
    }

    /** Closes the idle connections (each holds a write-timeout thread of Jakarta Mail's). */
    @PreDestroy
    public void close() throws InterruptedException {
        Transport transport;
        while ((transport = idle.poll(0, TimeUnit.MILLISECONDS)) != null) {
            closeQuietly(transport);
        }
    }
}
