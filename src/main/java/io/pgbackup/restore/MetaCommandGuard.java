package io.pgbackup.restore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * psql runs backslash commands found in its input ({@code \! shell command}, {@code \o file}, {@code \copy ... to}),
 * and a plain backup is input from Object Storage: whoever can write the bucket could otherwise run commands on the
 * host that restores (its manifest is in the same bucket, so a matching SHA-256 proves nothing against that). psql's
 * restricted mode (13.22, 14.19, 15.14, 16.10, 17.6 and later: the fix for CVE-2025-8714) refuses every backslash
 * command until <code>&#92;unrestrict KEY</code>: the restore puts {@code \restrict KEY} in front of the SQL with a random key
 * nobody else knows (the dump's own restrict lines are left out by {@link OwnershipFilter}), so such a backup fails
 * with psql's "backslash commands are restricted" and nothing runs. Every other psql input pg-backup writes (queries,
 * CREATE / DROP / ALTER DATABASE: psql.yaml) goes behind a key of its own too ({@link #restricted}), so no text that
 * came from a backup or a database can ever be read by psql as a backslash command.
 * <p>
 * An older psql cannot do this: it is refused (one line naming the releases; {@link #problem}), at start by
 * {@code SettingsCheck} for the commands that run psql and here before any input reaches it, unless
 * PSQL_ALLOW_UNRESTRICTED=true says to run it anyway (then with a warning, and without the restrict line, which it
 * would not understand).
 */
public final class MetaCommandGuard {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");
    /**
     * Whether a psql has restricted mode, probed (and logged when it has not) once per psql and Camel context: once per
     * process as the launcher runs commands, once per command when several run in one JVM (the tests).
     */
    private static final Map<org.apache.camel.CamelContext, Map<String, Boolean>> SUPPORTED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private MetaCommandGuard() {
    }

    /**
     * {@code sql} as psql must get it: the SQL's own restrict lines left out ({@link OwnershipFilter}, which also
     * leaves out role statements with {@code noOwner} / {@code noPrivileges}), and {@code \restrict KEY} in front when
     * the configured psql knows restricted mode.
     */
    static InputStream guard(Exchange exchange, InputStream sql, boolean noOwner, boolean noPrivileges) {
        InputStream filtered = new OwnershipFilter(sql, noOwner, noPrivileges, true);
        String line = restrictLine(exchange);
        if (line.isEmpty()) {
            return filtered;
        }
        return new SequenceInputStream(new ByteArrayInputStream(line.getBytes(StandardCharsets.US_ASCII)), filtered);
    }

    /**
     * For psql.yaml: the body (SQL pg-backup wrote: a String, or a stream) with {@code \restrict KEY} in front, a
     * fresh key each time. Throws {@link UnrestrictedPsqlException} when the configured psql has no restricted mode
     * and PSQL_ALLOW_UNRESTRICTED is not true.
     */
    public static Object restricted(Exchange exchange) {
        String line = restrictLine(exchange);
        Object body = exchange.getMessage().getBody();
        if (body instanceof InputStream stream) {
            return line.isEmpty() ? stream
                    : new SequenceInputStream(new ByteArrayInputStream(line.getBytes(StandardCharsets.US_ASCII)), stream);
        }
        String sql = exchange.getMessage().getBody(String.class);
        return line + (sql == null ? "" : sql);
    }

    /** {@code \restrict KEY} and a line break; empty for a psql without restricted mode that the settings allow. */
    private static String restrictLine(Exchange exchange) {
        String psql = SettingsDeclaration.value(exchange.getContext(), "psql.path");
        if (supported(exchange.getContext(), psql)) {
            return "\\restrict " + key() + "\n";
        }
        if (allowed(exchange.getContext())) {
            return "";
        }
        throw new UnrestrictedPsqlException(problem(psql));
    }

    /**
     * Why the configured psql may not run (it has no restricted mode, and PSQL_ALLOW_UNRESTRICTED is not true), or
     * null when it may. For SettingsCheck, at start.
     */
    public static String problem(org.apache.camel.CamelContext context) {
        String psql = SettingsDeclaration.value(context, "psql.path");
        if (supported(context, psql) || allowed(context)) {
            return null;
        }
        return problem(psql);
    }

    private static boolean supported(org.apache.camel.CamelContext context, String psql) {
        return SUPPORTED.computeIfAbsent(context, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(psql, MetaCommandGuard::restrictable);
    }

    private static String problem(String psql) {
        return psql + " cannot refuse backslash commands (\\restrict came with psql 13.22, 14.19, 15.14, 16.10, 17.6 and"
                + " 18): upgrade it, or set PSQL_ALLOW_UNRESTRICTED=true to run it anyway (a tampered backup could then"
                + " run commands on this host)";
    }

    private static boolean allowed(org.apache.camel.CamelContext context) {
        return "true".equalsIgnoreCase(SettingsDeclaration.value(context, "psql.allow.unrestricted").strip());
    }

    /** The configured psql has no restricted mode, and the settings do not allow it anyway. */
    public static class UnrestrictedPsqlException extends IllegalStateException {
        public UnrestrictedPsqlException(String message) {
            super(message);
        }
    }

    /** A fresh key: 40 letters and digits (psql's rule for a restrict key). */
    static String key() {
        StringBuilder key = new StringBuilder(40);
        for (int i = 0; i < 40; i++) {
            key.append(KEY_CHARACTERS.charAt(RANDOM.nextInt(KEY_CHARACTERS.length())));
        }
        return key.toString();
    }

    /** Whether {@code psql --version} names a release with restricted mode; logged when it does not. */
    static boolean restrictable(String psql) {
        String version = "";
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(psql, "--version")).redirectErrorStream(true);
            builder.environment().keySet().retainAll(List.of("PATH", "HOME", "LANG", "LC_ALL"));
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readNBytes(4096);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            version = new String(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            version = "(psql --version failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean supported = supports(version);
        if (!supported) {
            LOG.warn("{} cannot refuse backslash commands in a backup (psql 13.22, 14.19, 15.14, 16.10, 17.6 or newer"
                    + " can): a tampered backup could run commands on this host through it; upgrade psql (it runs only"
                    + " with PSQL_ALLOW_UNRESTRICTED=true)", version);
        }
        return supported;
    }

    /** Whether a {@code psql --version} line names a release with {@code \restrict}. */
    static boolean supports(String versionLine) {
        Matcher matcher = VERSION.matcher(versionLine);
        if (!matcher.find()) {
            return false;
        }
        int major = Integer.parseInt(matcher.group(1));
        int minor = matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2));
        return switch (major) {
            case 13 -> minor >= 22;
            case 14 -> minor >= 19;
            case 15 -> minor >= 14;
            case 16 -> minor >= 10;
            case 17 -> minor >= 6;
            default -> major >= 18;
        };
    }
}
