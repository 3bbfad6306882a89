package io.pgbackup.dump;

import java.util.regex.Pattern;

/**
 * How a backup's key names its dump format (run/StreamFormat writes it, storage/BackupKey builds the rest of the key): {@code .sql.} for plain
 * SQL (psql reads it), {@code .dump.} for a custom-format archive (pg_restore reads it).
 */
public final class DumpFormat {

    /** A custom-format archive's key: {@code .dump.gz}, {@code .dump.zst}, either with {@code .gpg}. */
    private static final Pattern ARCHIVE = Pattern.compile(".*_\\d{14}\\.dump\\.(?:gz|zst)(?:\\.gpg)?");

    private DumpFormat() {
    }

    /** Whether {@code key} holds a custom-format archive (pg_restore reads it) rather than plain SQL (psql reads it). */
    public static boolean isArchiveKey(String key) {
        return key != null && ARCHIVE.matcher(key).matches();
    }
}
