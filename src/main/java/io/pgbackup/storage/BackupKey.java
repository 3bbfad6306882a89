package io.pgbackup.storage;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Optional;
import java.util.regex.Pattern;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.StreamFormat;
import io.pgbackup.settings.SettingsDeclaration;

/**
 * A backup's object key, {@code {prefix}YYYY/MM/DD/{database}_{yyyyMMddHHmmss}.sql.gz} (or {@code .sql.zst}, and
 * {@code .gpg} after either when encrypted; {@code .dump.gz} / {@code .dump.zst} for a custom-format archive): made
 * by {@link #format} and read back into its database and its time (the key's timestamp, in BACKUP_TIMEZONE) by
 * {@link #parse}, one definition for both. The folder date must be the timestamp's date and the timestamp a real time:
 * any other key is not a backup, so nothing touches it. A manifest beside a backup ({@code {key}.manifest.json}) is
 * not a backup either.
 * <p>
 * A database name is data, and may hold anything PostgreSQL allows: in the key, {@code /}, {@code \}, {@code %} and
 * control characters (line breaks...) are written as {@code %XX} (UTF-8), so that a name like {@code ../../x} or
 * {@code a/b} stays one path segment inside its own date folder and cannot land on another database's key. Anything
 * else (spaces, quotes, Hangul) is kept as it is.
 */
public record BackupKey(String key, String database, LocalDateTime time) {

    /** YYYY/MM/DD/{db}_{YYYYMMDD}{HHmmss}.(sql|dump).(gz|zst)[.gpg]: the timestamp's date repeats the folders. */
    private static final Pattern PATTERN = Pattern.compile(
            "(\\d{4})/(\\d{2})/(\\d{2})/(.+)_(\\1\\2\\3\\d{6})\\.(?:sql|dump)\\.(?:gz|zst)(?:\\.gpg)?");
    /**
     * A custom-format archive's key ({@code .dump.} where plain SQL has {@code .sql.}: run/StreamFormat writes it):
     * {@code .dump.gz}, {@code .dump.zst}, either with {@code .gpg}.
     */
    private static final Pattern ARCHIVE = Pattern.compile(".*_\\d{14}\\.dump\\.(?:gz|zst)(?:\\.gpg)?");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
            .withResolverStyle(ResolverStyle.STRICT);

    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("uuuu/MM/dd");

    /** The key of a backup of {@code database} started at {@code time} (local, BACKUP_TIMEZONE). */
    public static String format(String prefix, String database, LocalDateTime time, String extension) {
        return format(prefix, database, time, "plain", extension);
    }

    /**
     * The key of a backup of {@code database} started at {@code time} (local, BACKUP_TIMEZONE) in dump format
     * {@code dumpFormat} ({@code plain}: {@code .sql.}, {@code custom}: {@code .dump.}).
     */
    public static String format(String prefix, String database, LocalDateTime time, String dumpFormat, String extension) {
        return stem(prefix, database, time) + StreamFormat.infix(dumpFormat) + extension;
    }

    /** {@code {prefix}YYYY/MM/DD/{database}_{yyyyMMddHHmmss}}: the key before its suffix (.sql.gz, ...). */
    private static String stem(String prefix, String database, LocalDateTime time) {
        return (prefix == null ? "" : prefix) + FOLDER.format(time) + "/" + encode(database) + "_" + TIMESTAMP.format(time);
    }

    /** Whether {@code key} holds a custom-format archive (pg_restore reads it) rather than plain SQL (psql reads it). */
    public static boolean isArchive(String key) {
        return key != null && ARCHIVE.matcher(key).matches();
    }

    /**
     * For the routes (backup.yaml): decides this run's stream format once (BACKUP_FORMAT, BACKUP_COMPRESSION,
     * encryption on or off: the key's extension, the content type and the manifest all read it) and makes its key,
     * from the run's database and start; both are set on the run.
     */
    public static void forRun(org.apache.camel.Exchange exchange) {
        org.apache.camel.CamelContext context = exchange.getContext();
        DatabaseRun run = DatabaseRun.of(exchange);
        java.time.ZoneId zone = java.time.ZoneId.of(SettingsDeclaration.value(context, "backup.timezone"));
        String compression = SettingsDeclaration.value(context, "backup.compression");
        io.pgbackup.compress.BlockCompression chosen = context.getRegistry().lookupByNameAndType(compression,
                io.pgbackup.compress.BlockCompression.class);
        io.pgbackup.crypto.Encryption encryption = context.getRegistry().lookupByNameAndType("encryption",
                io.pgbackup.crypto.Encryption.class);
        // the roles backup (@globals) is pg_dumpall's SQL whatever BACKUP_FORMAT says
        String database = run.database();
        String dumpFormat = database.startsWith("@") ? "plain" : SettingsDeclaration.value(context, "backup.format");
        StreamFormat format = new StreamFormat(dumpFormat, chosen.name(), chosen.extension(), chosen.getLevel(),
                encryption != null && encryption.isOn());
        run.setFormat(format);
        run.setKey(stem(SettingsDeclaration.value(context, "backup.prefix"), database,
                LocalDateTime.ofInstant(run.startedAt().toInstant(), zone)) + format.keySuffix());
    }

    static String encode(String database) {
        StringBuilder out = new StringBuilder(database.length());
        database.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '%') {
                out.append(String.format("%%%02X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    static String decode(String encoded) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] raw = encoded.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && Character.digit(raw[i + 1], 16) >= 0
                    && Character.digit(raw[i + 2], 16) >= 0) {
                bytes.write(Character.digit(raw[i + 1], 16) << 4 | Character.digit(raw[i + 2], 16));
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The backup that {@code key} names under {@code prefix}, or empty when the key is anything else. */
    public static Optional<BackupKey> parse(String key, String prefix) {
        String p = prefix == null ? "" : prefix;
        if (key == null || !key.startsWith(p)) {
            return Optional.empty();
        }
        var matcher = PATTERN.matcher(key.substring(p.length()));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BackupKey(key, decode(matcher.group(4)), LocalDateTime.parse(matcher.group(5), TIMESTAMP)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The backup {@code key} names under whatever prefix it has (a listing already limited to BACKUP_PREFIX), or empty
     * when it is not a backup key.
     */
    public static Optional<BackupKey> parseListed(String key) {
        for (int start = 0; key != null && start >= 0 && start < key.length(); start = key.indexOf('/', start) + 1) {
            Optional<BackupKey> backup = parse(key, key.substring(0, start));
            if (backup.isPresent()) {
                return backup;
            }
            if (key.indexOf('/', start) < 0) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The manifest object that may sit beside this backup. */
    public String manifestKey() {
        return BackupManifest.keyOf(key);
    }
}
