package io.duet.local;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.util.List;
import java.util.Map;

/** SMTP for the local stack: configured, else an in-process SMTP server whose mail /dev/mail lists. */
final class LocalSmtp {
    private LocalSmtp() {}

    static LocalServer resolve(LocalSettings settings) {
        String host = LocalSettings.env("DUET_MAIL_SMTP_HOST");
        if (host != null) {
            String port = LocalSettings.env("DUET_MAIL_SMTP_PORT");
            String target = host + ":" + (port == null ? "587" : port);
            if (!LocalServer.answers(target)) {
                throw new LocalServer.UnreachableException("DUET_MAIL_SMTP_HOST/PORT=" + target
                        + " does not accept connections. Start that server or unset the variables.");
            }
            return new LocalServer() {
                @Override
                public Map<String, Object> properties() {
                    return Map.of();
                }

                @Override
                public String description() {
                    return "configured: " + target;
                }
            };
        }
        GreenMail mail = new GreenMail(new ServerSetup(settings.smtpPort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        return new LocalServer() {
            @Override
            public Map<String, Object> properties() {
                return Map.of(
                        "duet.mail.smtp.host",
                        "127.0.0.1",
                        "duet.mail.smtp.port",
                        settings.smtpPort(),
                        "duet.dev.mail.enabled",
                        true);
            }

            @Override
            public String description() {
                return "in-process SMTP server on 127.0.0.1:" + settings.smtpPort() + " (mail listed at /dev/mail)";
            }

            @Override
            public List<Object> beans() {
                return List.of(mail);
            }

            @Override
            public void close() {
                mail.stop();
            }
        };
    }
}
