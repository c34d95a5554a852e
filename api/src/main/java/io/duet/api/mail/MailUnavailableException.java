package io.duet.api.mail;

/** The mail could not be handed over now (refused connection, timeout, 4xx reply): retry later. */
public final class MailUnavailableException extends Exception {
    MailUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
