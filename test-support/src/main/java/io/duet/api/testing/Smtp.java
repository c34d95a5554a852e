package io.duet.api.testing;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * The real SMTP server of the tests: GreenMail on 127.0.0.1:3025 (application-test.yml points there), or
 * on {@code DUET_MAIL_SMTP_PORT}, which moves the application's SMTP port too: two checkouts can run their
 * suites side by side.
 */
public final class Smtp {
    private Smtp() {}

    public static GreenMailExtension server() {
        return new GreenMailExtension(new ServerSetup(port(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication())
                .withPerMethodLifecycle(false);
    }

    /**
     * The same server started now, for a class whose {@code @Nested} classes share it: the caller stops it
     * in its {@code @AfterAll}.
     */
    public static GreenMail start() {
        GreenMail server = new GreenMail(new ServerSetup(port(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        server.start();
        return server;
    }

    public static int port() {
        return Integer.parseInt(System.getenv().getOrDefault("DUET_MAIL_SMTP_PORT", "3025"));
    }
}
