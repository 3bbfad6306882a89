package io.pgbackup.run;

/**
 * How one backup's stream is written, decided once when its key is made (storage/BackupKey.forRun) and read by all
 * that describe it: the key's extension, the object's content type, the manifest.
 *
 * @param dump        the dump's format: "plain" (SQL, psql reads it) or "custom" (pg_dump's archive, pg_restore)
 * @param compression the compression's name ("gzip", "zstd")
 * @param extension   the compression's file name extension ("gz", "zst")
 * @param level       the compression level
 * @param encrypted   whether the stream is encrypted (OpenPGP)
 */
public record StreamFormat(String dump, String compression, String extension, Integer level, boolean encrypted) {

    /** Whether the dump is pg_dump's custom-format archive (pg_restore reads it), not plain SQL. */
    public boolean isArchive() {
        return "custom".equals(dump);
    }

    /** What follows the database and time in the key: {@code .sql.gz}, {@code .dump.zst.gpg}, ... */
    public String keySuffix() {
        return infix(dump) + extension + (encrypted ? ".gpg" : "");
    }

    /** The part of a key after its timestamp for dump format {@code dump}: {@code .dump.} (custom) or {@code .sql.}. */
    public static String infix(String dump) {
        return "custom".equals(dump) ? ".dump." : ".sql.";
    }

    /** The stored object's content type. */
    public String contentType() {
        return encrypted ? "application/pgp-encrypted" : "application/" + compression;
    }
}
