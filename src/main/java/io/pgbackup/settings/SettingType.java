package io.pgbackup.settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.run.DatabaseList;

import org.quartz.CronExpression;

/**
 * What a setting's value must be, as its {@code #@} line says: {@code text}, {@code int MIN..MAX}, {@code bool},
 * {@code one of A, B}, {@code cron}, {@code duration}, {@code timer-duration}, {@code zone}, {@code url}, {@code host},
 * {@code folder}, {@code file}, {@code program}, {@code databases}, {@code jdbc-url}, {@code keyfiles}, {@code name},
 * {@code token}. A non-empty
 * value is checked for every command (each command creates every route); whether it may be empty is the setting's
 * needed-by field. {@link #problem} says what is wrong in words a user can act on, never showing a secret.
 */
public record SettingType(String kind, long min, long max, List<String> allowed) {

    private static final Pattern INT = Pattern.compile("int (-?\\d+)\\.\\.(-?\\d+)");
    private static final List<String> KINDS = List.of("text", "bool", "cron", "duration", "timer-duration", "zone", "url",
            "host", "folder", "file", "program", "databases", "jdbc-url", "keyfiles", "name", "token");

    /** The type as written after {@code #@} (without {@code secret}). */
    public static SettingType parse(String text) {
        String spec = text.strip();
        Matcher range = INT.matcher(spec);
        if (range.matches()) {
            return new SettingType("int", Long.parseLong(range.group(1)), Long.parseLong(range.group(2)), List.of());
        }
        if (spec.startsWith("one of ")) {
            List<String> allowed = List.of(spec.substring("one of ".length()).split("\\s*,\\s*"));
            return new SettingType("one of", 0, 0, allowed);
        }
        if (spec.isEmpty()) {
            spec = "text";
        }
        if (!KINDS.contains(spec)) {
            throw new IllegalArgumentException("unknown setting type '" + spec + "' (one of " + KINDS
                    + ", int MIN..MAX, one of A, B)");
        }
        return new SettingType(spec, 0, 0, List.of());
    }

    /** The allowed values in words, for help and the README. */
    public String describe() {
        return switch (kind) {
            case "int" -> min + "–" + max;
            case "one of" -> String.join(", ", allowed);
            case "bool" -> "true, false";
            case "cron" -> "Quartz cron";
            case "duration", "timer-duration" -> "duration: 26h, 90m, 2d, 45s, PT26H";
            case "zone" -> "time zone";
            case "url" -> "http(s) URL";
            case "host" -> "listen address";
            case "folder" -> "writable folder";
            case "file" -> "readable file";
            case "program" -> "program: name on PATH or path";
            case "databases" -> "name, comma list, or *";
            case "jdbc-url" -> "jdbc:postgresql:// URL";
            case "keyfiles" -> "key files, comma-separated";
            case "name" -> "letters, digits, '.', '-', '_'";
            case "token" -> "upper-case word: A–Z, 0–9, '_'";
            default -> "text";
        };
    }

    /**
     * What is wrong with a non-empty {@code value}, or null when it is fine. {@code shown} is how the value may be
     * quoted in the message (a secret's is not); {@code path} is PATH, where a program named without a folder is
     * looked for (the command's environment: {@link RunEnvironment}).
     */
    public String problem(String value, String shown, String path) {
        switch (kind) {
            case "int" -> {
                long number;
                try {
                    number = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return shown + " is not a whole number";
                }
                return number < min || number > max ? value + " is outside " + min + ".." + max : null;
            }
            case "one of" -> {
                return allowed.contains(value) ? null : shown + " is not one of " + new java.util.TreeSet<>(allowed);
            }
            case "bool" -> {
                return value.equals("true") || value.equals("false") ? null : shown + " is not one of [false, true]";
            }
            case "cron" -> {
                return CronExpression.isValidExpression(value) ? null : shown + " is not a Quartz cron expression (seconds"
                        + " minutes hours day-of-month month day-of-week, e.g. '0 0 2 * * ?')";
            }
            case "duration", "timer-duration" -> {
                return duration(value, shown, kind.equals("timer-duration"));
            }
            case "zone" -> {
                try {
                    ZoneId.of(value);
                    return null;
                } catch (DateTimeException e) {
                    return shown + " is not a known time zone (e.g. Asia/Seoul)";
                }
            }
            case "url" -> {
                try {
                    URI uri = new URI(value);
                    return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                            ? null : shown + " is not an http(s) URL with a host";
                } catch (URISyntaxException e) {
                    return shown + " is not a URL";
                }
            }
            case "host" -> {
                return value.matches("[A-Za-z0-9.:\\-\\[\\]%]+") ? null
                        : shown + " is not an address to listen on (e.g. 0.0.0.0, 127.0.0.1)";
            }
            case "folder" -> {
                Path dir = Path.of(value);
                return Files.isDirectory(dir) && Files.isWritable(dir) ? null : shown + " is not a writable folder";
            }
            case "file" -> {
                Path file = Path.of(value);
                return Files.isRegularFile(file) && Files.isReadable(file) ? null : shown + " is not a readable file";
            }
            case "program" -> {
                return program(value, shown, path);
            }
            case "databases" -> {
                return DatabaseList.parse(value).problem();
            }
            case "jdbc-url" -> {
                if (!value.startsWith("jdbc:postgresql://")) {
                    return "is not a jdbc:postgresql:// URL (it starts with '" + value.replaceAll("^([A-Za-z:]{0,20}).*$", "$1")
                            + "'; the rest is not shown: it may hold a password)";
                }
                // the URI form users copy (user:password@host): pgjdbc takes the login for a host name and puts it,
                // password and all, in its error. The only jdbc-url setting is the scheduler's.
                String authority = value.substring("jdbc:postgresql://".length()).split("[/?]", 2)[0];
                return authority.contains("@") ? "holds a login before '@' (not shown: it may hold a password), which"
                        + " pg-backup does not take in the URL: write jdbc:postgresql://HOST:PORT/DATABASE and give the login"
                        + " in SCHEDULER_JDBC_USER and SCHEDULER_JDBC_PASSWORD" : null;
            }
            case "name" -> {
                // a bucket or a Secret Manager secret: it becomes part of a URL's path, so nothing that could end or
                // extend that path (/, ?, &, %, #, spaces) and nothing an expression language would read (${, {{)
                return value.matches("[A-Za-z0-9._-]{1,255}") ? null
                        : shown + " holds characters a bucket or secret name cannot have (letters, digits, '.', '-',"
                                + " '_' only)";
            }
            case "token" -> {
                // a word the store reads (a storage class), sent as a header: nothing else fits in it
                return value.matches("[A-Z][A-Z0-9_]{0,63}") ? null
                        : shown + " is not an upper-case word (A-Z, 0-9, '_'; e.g. STANDARD, DEEP_ARCHIVE)";
            }
            default -> {
                return null;
            }
        }
    }

    /** 26h, 90m, 2d, 45s or ISO-8601 (PT26H), at least one second; a timer's also read the same by Camel's timer. */
    private static String duration(String value, String shown, boolean timer) {
        java.time.Duration parsed;
        try {
            parsed = io.pgbackup.run.Durations.parse(value);
            if (timer && org.apache.camel.util.TimeUtils.toDuration(value).compareTo(parsed) != 0) {
                throw new IllegalArgumentException("read differently by the timer");
            }
        } catch (RuntimeException e) {
            return shown + " is not a duration (e.g. 15m, 26h, 2d, 45s, PT26H)";
        }
        return parsed.toMillis() < 1000 ? value + " is shorter than one second" : null;
    }

    /** A client program: a path to an executable file, or a name found on PATH. */
    private static String program(String value, String shown, String path) {
        if (value.contains("/")) {
            return Files.isRegularFile(Path.of(value)) && Files.isExecutable(Path.of(value)) ? null
                    : shown + " is not an executable file";
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, value);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return null;
            }
        }
        return shown + " is not found on PATH (give the full path, e.g. /usr/lib/postgresql/15/bin/" + value + ")";
    }
}
