package io.pgbackup.heartbeat;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The pings of one heartbeat URL (HEARTBEAT_URL), as the service behind it reads them. Builds requests, sends nothing.
 * <ul>
 * <li>healthchecks (healthchecks.io and its self-hosted copies): {@code GET URL/start} when a run begins, {@code GET URL}
 * when it succeeded, {@code POST URL/fail} with a one-line reason as the body when it failed;</li>
 * <li>uptime-kuma (a push monitor): {@code GET URL?status=up&msg=OK} or {@code ?status=down&msg=REASON}; Kuma has no
 * start ping.</li>
 * </ul>
 * The URL is data: its parts are kept as the user wrote them (encoded), a query it already has is kept (Kuma's own
 * {@code status}, {@code msg} and {@code ping}, which its page puts in the URL it shows, are replaced, not repeated).
 * The URL carries the check's secret (the path), so nothing here puts it in a message: {@link #shown()} is what a log
 * line may say.
 */
public final class HeartbeatUrl {

    /** How a URL is pinged (HEARTBEAT_STYLE). */
    public enum Style {
        HEALTHCHECKS, UPTIME_KUMA;

        /** {@code healthchecks} or {@code uptime-kuma}, as the setting says. */
        public static Style of(String setting) {
            return switch (setting.strip()) {
                case "healthchecks" -> HEALTHCHECKS;
                case "uptime-kuma" -> UPTIME_KUMA;
                default -> throw new IllegalArgumentException("HEARTBEAT_STYLE '" + setting
                        + "' is not one of healthchecks, uptime-kuma");
            };
        }
    }

    /** One request: what it reports ({@code start}, {@code success}, {@code fail}), method, URI and body (or null). */
    public record Ping(String event, String method, URI uri, String body) {
        @Override
        public String toString() {
            return event + " ping"; // never the URI: it holds the secret
        }
    }

    /** Kuma reads these three from the query; the ones in the user's URL are replaced by the run's own. */
    private static final Set<String> KUMA_PARAMETERS = Set.of("status", "msg", "ping");
    /** Longest reason sent: a short line, not a report. */
    static final int MAX_REASON = 200;

    private final Style style;
    private final String scheme;
    private final String authority;
    private final String path;
    private final String query;

    private HeartbeatUrl(Style style, URI uri) {
        this.style = style;
        this.scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        this.authority = uri.getRawAuthority();
        this.path = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.query = uri.getRawQuery();
    }

    /**
     * An absolute http(s) URL with a host; the settings check refuses anything else before a run, so the message here
     * (which never quotes the URL) is a last guard.
     */
    public static HeartbeatUrl parse(String url, Style style) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("HEARTBEAT_URL is not a URL (not shown: it holds the check's secret)");
        }
        if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("HEARTBEAT_URL is not an http(s) URL with a host (not shown: it holds"
                    + " the check's secret)");
        }
        return new HeartbeatUrl(style, uri);
    }

    /** The ping when a run begins; none for Uptime Kuma. */
    public Optional<Ping> start() {
        return style == Style.HEALTHCHECKS ? Optional.of(new Ping("start", "GET", uri("/start", query), null))
                : Optional.empty();
    }

    public Ping success() {
        return style == Style.HEALTHCHECKS ? new Ping("success", "GET", uri("", query), null)
                : new Ping("success", "GET", uri("", kumaQuery("up", "OK")), null);
    }

    /** {@code reason}: one short line that holds no secret (see {@link HeartbeatReason}); trimmed to one line here. */
    public Ping fail(String reason) {
        String line = oneLine(reason);
        return style == Style.HEALTHCHECKS ? new Ping("fail", "POST", uri("/fail", query), line)
                : new Ping("fail", "GET", uri("", kumaQuery("down", line)), null);
    }

    /** What a log line may say of the URL: scheme, host and port, never the path or query (the secret). */
    public String shown() {
        String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
        return scheme + "://" + hostAndPort;
    }

    private URI uri(String suffix, String withQuery) {
        String base = suffix.isEmpty() || !path.endsWith("/") ? path : path.substring(0, path.length() - 1);
        return URI.create(scheme + "://" + authority + base + suffix + (withQuery == null ? "" : "?" + withQuery));
    }

    /** The user's query without Kuma's own parameters, then {@code status} and {@code msg}, encoded. */
    private String kumaQuery(String status, String message) {
        List<String> parts = new ArrayList<>();
        if (query != null) {
            for (String part : query.split("&")) {
                String name = URLDecoder.decode(part.split("=", 2)[0], StandardCharsets.UTF_8);
                if (!part.isEmpty() && !KUMA_PARAMETERS.contains(name)) {
                    parts.add(part);
                }
            }
        }
        parts.add("status=" + status);
        parts.add("msg=" + encode(message));
        return String.join("&", parts);
    }

    /** Form encoding with %20 for a space: read the same by every query parser (some leave a '+' as it is). */
    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One line (control characters become spaces) of at most {@link #MAX_REASON} characters. */
    static String oneLine(String text) {
        String line = (text == null || text.isBlank() ? "failed" : text).replaceAll("\\p{Cntrl}+", " ").strip();
        return line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON - 3) + "...";
    }
}
