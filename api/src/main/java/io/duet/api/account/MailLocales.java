package io.duet.api.account;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The languages our emails are written in; anything else gets English. */
final class MailLocales {
    static final List<String> SUPPORTED = List.of("en", "de");

    private MailLocales() {}

    static String supported(String tag) {
        String language = Locale.forLanguageTag(tag).getLanguage();
        return SUPPORTED.contains(language) ? language : "en";
    }

    static String fromHeader(Optional<Locale> accepted) {
        return accepted.map(locale -> supported(locale.toLanguageTag())).orElse("en");
    }
}
