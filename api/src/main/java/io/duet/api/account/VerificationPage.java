package io.duet.api.account;

import jakarta.inject.Singleton;

/** The small HTML pages of the email link. Mail scanners open links; only the button's POST confirms. */
@Singleton
class VerificationPage {
    private final AccountConfig config;

    VerificationPage(AccountConfig config) {
        this.config = config;
    }

    String confirm(String token) {
        return page("Confirm your address", """
                <p>Press the button to confirm this email address for Duet.</p>
                <form method="post" action="/v1/accounts/verify/link">
                  <input type="hidden" name="token" value="%s">
                  <button type="submit">Confirm my address</button>
                </form>""".formatted(escape(token)));
    }

    String verified() {
        return page("Address confirmed", """
                <p>Your address is confirmed. You can go back to the app and sign in.</p>
                <p><a class="button" href="%s">Open Duet</a></p>""".formatted(escape(config.appDeepLink())));
    }

    String expired() {
        return page("Link expired", "<p>This link is expired or was already used. Ask the app for a new email.</p>");
    }

    private static String page(String title, String body) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · Duet</title>
                <style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
                button,.button{font-size:1.1rem;padding:.6rem 1.2rem}</style></head>
                <body><h1>%s</h1>%s</body></html>""".formatted(title, title, body);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
