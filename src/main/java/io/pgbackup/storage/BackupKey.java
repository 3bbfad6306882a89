package io.pgbackup.storage;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Optional;
import java.util.regex.Pattern;

import io.pgbackup.manifest.BackupManifest;

/**
 * A backup's object key, {@code {prefix}YYYY/MM/DD/{database}_{yyyyMMddHHmmss}.sql.gz} (or {@code .sql.zst}), read
 * back into its database and its time (the key's timestamp, in BACKUP_TIMEZONE). The folder date must be the
 * timestamp's date and the timestamp a real time: any other key is not a backup, so nothing touches it. A manifest
 * beside a backup ({@code {key}.manifest.json}) is not a backup either.
 */
public record BackupKey(String key, String database, LocalDateTime time) {

    /** YYYY/MM/DD/{db}_{YYYYMMDD}{HHmmss}.sql.(gz|zst): the timestamp's date repeats the folders. */
    private static final Pattern PATTERN = Pattern.compile(
            "(\\d{4})/(\\d{2})/(\\d{2})/(.+)_(\\1\\2\\3\\d{6})\\.sql\\.(?:gz|zst)");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
            .withResolverStyle(ResolverStyle.STRICT);

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
            return Optional.of(new BackupKey(key, matcher.group(4), LocalDateTime.parse(matcher.group(5), TIMESTAMP)));
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
