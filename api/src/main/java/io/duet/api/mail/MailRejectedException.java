package io.duet.api.mail;

/** The server refused this message for good (a 5xx reply): retrying cannot help. */
public final class MailRejectedException extends Exception {
    private final int replyCode;

    MailRejectedException(int replyCode, String reason, Throwable cause) {
        super("SMTP " + replyCode + ": " + reason, cause);
        this.replyCode = replyCode;
    }

    public int replyCode() {
        return replyCode;
    }
}
