package io.duet.local;

import com.icegreen.greenmail.util.GreenMail;
import io.duet.api.web.NotFoundException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /dev/mail}: the inbox of the local stack's in-process SMTP server, so a developer reads the
 * verification emails without a mail account. A browser gets an HTML inbox (newest first; a mail opens with
 * its links and its code clickable, the plain part and the HTML part side by side); anything that does not
 * ask for HTML gets the same list as JSON, for scripts. Exists only in {@code ./duet run}.
 */
@Controller("/dev/mail")
@Requires(property = "duet.dev.mail.enabled", value = "true")
@Requires(beans = GreenMail.class)
@ExecuteOn(TaskExecutors.BLOCKING)
@Hidden
final class DevMailController {
    private static final Pattern LINK = Pattern.compile("https?://[^\\s<>\"']+");
    private static final Pattern CODE = Pattern.compile("(?<![\\w/=&.-])\\d{6}(?![\\w/&.-])");
    private static final DateTimeFormatter SHOWN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    /** The page runs no script of its own except the copy button's; a mail's HTML runs none at all. */
    private static final String POLICY =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " + "script-src 'sha256-"
                    + Html.sha256(Html.COPY_SCRIPT) + "'; frame-src 'self'; base-uri 'none'; form-action 'none'";

    private final GreenMail mail;

    DevMailController(GreenMail mail) {
        this.mail = mail;
    }

    @Get
    HttpResponse<?> inbox(HttpRequest<?> request) throws MessagingException, IOException {
        if (!wantsHtml(request)) {
            return HttpResponse.ok(received()).contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        // The list shows headers only: the bodies are parsed when a mail is opened.
        MimeMessage[] messages = mail.getReceivedMessages();
        List<ReceivedMail> received = new ArrayList<>();
        for (int id = messages.length - 1; id >= 0; id--) {
            received.add(describe(id, messages[id], new Parts()));
        }
        StringBuilder rows = new StringBuilder();
        for (ReceivedMail one : received) {
            rows.append("<tr><td><a class=\"subject\" href=\"/dev/mail/")
                    .append(one.id())
                    .append("\">")
                    .append(Html.escape(one.subject() == null ? "(no subject)" : one.subject()))
                    .append("</a></td><td>")
                    .append(Html.escape(String.join(", ", one.to())))
                    .append("</td><td>")
                    .append(one.sentAt() == null ? "" : SHOWN.format(one.sentAt()))
                    .append("</td></tr>\n");
        }
        String body = received.isEmpty()
                ? "<p class=\"empty\">No mail yet. Sign up through the API and the verification email shows up here.</p>"
                : "<table><thead><tr><th>subject</th><th>to</th><th>received</th></tr></thead><tbody>\n" + rows
                        + "</tbody></table>";
        return page(
                "Inbox (" + received.size() + ")",
                "<h1>Inbox <small>" + received.size() + " mail" + (received.size() == 1 ? "" : "s")
                        + ", newest first</small></h1>\n" + body);
    }

    @Get("/{id}")
    HttpResponse<?> open(@PathVariable int id, HttpRequest<?> request) throws MessagingException, IOException {
        MimeMessage[] messages = mail.getReceivedMessages();
        if (id < 0 || id >= messages.length) {
            throw new NotFoundException("A mail with this number");
        }
        MimeMessage message = messages[id];
        Parts parts = new Parts();
        parts.collect(message);
        if (!wantsHtml(request)) {
            return HttpResponse.ok(describe(id, message, parts)).contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        StringBuilder html = new StringBuilder("<p><a href=\"/dev/mail\">&larr; inbox</a></p>\n<h1>")
                .append(Html.escape(message.getSubject() == null ? "(no subject)" : message.getSubject()))
                .append("</h1>\n<dl>")
                .append("<dt>from</dt><dd>")
                .append(Html.escape(String.join(", ", addresses(message.getFrom()))))
                .append("</dd>")
                .append("<dt>to</dt><dd>")
                .append(Html.escape(String.join(", ", addresses(message.getAllRecipients()))))
                .append("</dd>")
                .append("<dt>received</dt><dd>")
                .append(
                        message.getSentDate() == null
                                ? ""
                                : SHOWN.format(message.getSentDate().toInstant()))
                .append("</dd></dl>\n");
        String code = firstCode(parts.text != null ? parts.text : parts.html == null ? "" : parts.html);
        if (code != null) {
            html.append("<p class=\"code\">code <button id=\"code\" data-code=\"")
                    .append(code)
                    .append("\" title=\"copy\">")
                    .append(code)
                    .append("</button> <span id=\"copied\"></span></p>\n");
        }
        html.append("<div class=\"parts\">");
        if (parts.text != null) {
            html.append("<section><h2>text/plain</h2><pre id=\"text\">")
                    .append(linkify(parts.text))
                    .append("</pre></section>");
        }
        if (parts.html != null) {
            // The mail's own HTML in a sandboxed frame: no script, no same-origin access, links open a new tab.
            html.append(
                            "<section><h2>text/html</h2><iframe id=\"html\" sandbox=\"allow-popups allow-popups-to-escape-sandbox\" srcdoc=\"")
                    .append(Html.escape("<base target=\"_blank\">" + parts.html))
                    .append("\"></iframe></section>");
        }
        html.append("</div>\n<script>").append(Html.COPY_SCRIPT).append("</script>");
        return page(message.getSubject() == null ? "Mail" : message.getSubject(), html.toString());
    }

    private List<ReceivedMail> received() throws MessagingException, IOException {
        MimeMessage[] messages = mail.getReceivedMessages();
        List<ReceivedMail> received = new ArrayList<>();
        for (int id = messages.length - 1; id >= 0; id--) {
            Parts parts = new Parts();
            parts.collect(messages[id]);
            received.add(describe(id, messages[id], parts));
        }
        return received;
    }

    private static ReceivedMail describe(int id, MimeMessage message, Parts parts) throws MessagingException {
        return new ReceivedMail(
                id,
                addresses(message.getFrom()),
                addresses(message.getAllRecipients()),
                message.getSubject(),
                message.getSentDate() == null ? null : message.getSentDate().toInstant(),
                parts.text,
                parts.html);
    }

    private static boolean wantsHtml(HttpRequest<?> request) {
        String accept = request.getHeaders().get(HttpHeaders.ACCEPT);
        return accept != null && accept.contains("text/html");
    }

    private static String firstCode(String text) {
        Matcher code = CODE.matcher(text);
        return code.find() ? code.group() : null;
    }

    /** Escapes the text, then turns its web links into anchors that open in a new tab. */
    static String linkify(String text) {
        StringBuilder out = new StringBuilder();
        Matcher link = LINK.matcher(text);
        int last = 0;
        while (link.find()) {
            out.append(Html.escape(text.substring(last, link.start())));
            String url = Html.escape(link.group());
            out.append("<a target=\"_blank\" rel=\"noopener\" href=\"")
                    .append(url)
                    .append("\">")
                    .append(url)
                    .append("</a>");
            last = link.end();
        }
        return out.append(Html.escape(text.substring(last))).toString();
    }

    private static HttpResponse<String> page(String title, String content) {
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.escape(title)
                + " · Duet dev mail</title><style>" + Html.STYLE + "</style></head><body>\n" + content
                + "\n</body></html>\n";
        return HttpResponse.ok(html)
                .contentType(MediaType.TEXT_HTML_TYPE.getName() + ";charset=utf-8")
                .header("Content-Security-Policy", POLICY)
                .header("Cache-Control", "no-store");
    }

    private static List<String> addresses(Address[] addresses) {
        return addresses == null
                ? List.of()
                : Arrays.stream(addresses).map(Address::toString).toList();
    }

    /** The first text/plain and text/html parts of a mail, however deeply nested in multiparts. */
    private static final class Parts {
        String text;
        String html;

        void collect(Part part) throws MessagingException, IOException {
            if (part.isMimeType("multipart/*")) {
                Multipart multipart = (Multipart) part.getContent();
                for (int i = 0; i < multipart.getCount(); i++) {
                    collect(multipart.getBodyPart(i));
                }
            } else if (part.isMimeType("text/plain") && text == null) {
                text = String.valueOf(part.getContent());
            } else if (part.isMimeType("text/html") && html == null) {
                html = String.valueOf(part.getContent());
            }
        }
    }

    @Serdeable
    record ReceivedMail(
            int id, List<String> from, List<String> to, String subject, Instant sentAt, String text, String html) {}

    private static final class Html {
        static final String COPY_SCRIPT =
                "const b=document.getElementById('code');if(b){b.addEventListener('click',()=>{"
                        + "navigator.clipboard.writeText(b.dataset.code).then(()=>{document.getElementById('copied').textContent='copied';},"
                        + "()=>{document.getElementById('copied').textContent='select it and copy';});});}";
        static final String STYLE =
                "body{font:15px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#222}"
                        + "h1 small{font-size:13px;color:#777;font-weight:normal;margin-left:8px}table{border-collapse:collapse;width:100%}"
                        + "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #eee}th{color:#777;font-weight:600;font-size:13px}"
                        + "dl{display:grid;grid-template-columns:90px 1fr;gap:2px 8px;color:#555}dt{color:#999}dd{margin:0}"
                        + ".parts{display:grid;grid-template-columns:1fr 1fr;gap:16px}pre{white-space:pre-wrap;background:#fafafa;padding:12px;"
                        + "border:1px solid #eee}iframe{width:100%;height:520px;border:1px solid #eee}.code button{font:600 20px monospace;"
                        + "letter-spacing:3px;padding:4px 12px;cursor:pointer}.empty{color:#777}";

        static String escape(String text) {
            StringBuilder out = new StringBuilder(text.length() + 16);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '&' -> out.append("&amp;");
                    case '"' -> out.append("&quot;");
                    case '\'' -> out.append("&#39;");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }

        static String sha256(String script) {
            try {
                return java.util.Base64.getEncoder()
                        .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
