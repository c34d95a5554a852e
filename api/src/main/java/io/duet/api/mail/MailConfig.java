package io.duet.api.mail;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Outgoing mail.
 *
 * @param from {@code From} of every email; default {@code Duet <hello@duet.local>}
 * @param replyTo {@code Reply-To}; default {@code support@duet.local}
 * @param poolSize SMTP connections kept open per node and reused across emails; default 4. One TLS
 *     handshake per email would cost more than the email itself
 */
@ConfigurationProperties("duet.mail")
public record MailConfig(
        @NotNull Smtp smtp,
        @NotBlank String from,
        @NotBlank String replyTo,
        @Min(1) @Max(64) int poolSize) {

    /**
     * @param host {@code DUET_MAIL_SMTP_HOST}
     * @param port {@code DUET_MAIL_SMTP_PORT}; default 2525 (the local stack's in-process server)
     * @param user {@code DUET_MAIL_SMTP_USER}, empty for none
     * @param password {@code DUET_MAIL_SMTP_PASSWORD}
     * @param starttls {@code DUET_MAIL_SMTP_STARTTLS}: upgrade with STARTTLS (required when true)
     * @param ssl {@code DUET_MAIL_SMTP_SSL}: TLS from the first byte (SMTPS, port 465)
     * @param connectTimeout connect timeout; default 5 s
     * @param timeout read/write timeout of each SMTP command; default 10 s
     * @param sslTrust hosts whose TLS certificate is trusted without validation ({@code *}: any), for
     *     local sinks with self-signed certificates only; default empty (certificates are validated)
     */
    @ConfigurationProperties("smtp")
    public record Smtp(
            @NotBlank String host,
            @Min(1) int port,
            String user,
            String password,
            boolean starttls,
            boolean ssl,
            @NotNull Duration connectTimeout,
            @NotNull Duration timeout,
            String sslTrust) {}
}
