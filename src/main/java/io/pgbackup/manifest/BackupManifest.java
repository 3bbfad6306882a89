package io.pgbackup.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What a backup is, stored beside it as {@code KEY.manifest.json}: the object's SHA-256 and size, the raw dump size,
 * the compression, the pg_dump and server versions, and the rows of every table as the dump holds them. Written
 * only after the object was checked, so a backup with a manifest is a verified one. The test restore compares its
 * row counts; the shrink check compares the raw size with the previous backup's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupManifest {

    public static final String SUFFIX = ".manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public int format = 1;
    public String database;
    public String key;
    public String createdAt;
    /** The dump's format: "plain" (SQL, psql) or "custom" (pg_dump's archive, pg_restore); as the key says. */
    public String dumpFormat;
    public String compression;
    public Integer compressionLevel;
    public long objectBytes;
    public String objectSha256;
    /**
     * The chunk size of {@link #chunkSha256}; null in manifests written before chunk hashes (those backups are checked
     * only at the end of the stream).
     */
    public Integer chunkBytes;
    /** The SHA-256 (hex) of every chunkBytes chunk of the stored object, in order, the last one shorter. */
    public java.util.List<String> chunkSha256;
    public int parts;
    /**
     * A backup larger than one object (UPLOAD_MAX_PARTS parts): its objects in order, the backup's key first, then
     * {@code KEY.part2} ..., each with its bytes, parts and ETag. Absent for a backup of one object. objectBytes,
     * objectSha256, parts and the chunk hashes are then those of all the objects read in order as one stream.
     */
    public java.util.List<StoredObject> objects;
    public long rawBytes;
    public String pgDumpVersion;
    public String serverVersion;
    /** Empty when the backup counts as good; else why not (e.g. it shrank too much). */
    public String warning;
    public Map<String, Long> tables = new LinkedHashMap<>();
    /** Set when the object is encrypted (ENCRYPTION_PUBLIC_KEYS): how, and to which key ids. */
    public Encryption encryption;
    /** When encrypted: the tables and their row counts, an armored OpenPGP message to the same keys. */
    public String tablesEncrypted;

    /** How an encrypted object is encrypted: what anyone may know, no key material. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Encryption {
        public String format;
        public String cipher;
        public String integrity;
        public java.util.List<String> recipients;
    }

    public String toJson() throws IOException {
        return JSON.writeValueAsString(this);
    }

    /** A manifest read whole and parsed; at most {@link #MAX_BYTES} are read. */
    public static BackupManifest read(InputStream json) throws IOException {
        return parse(readBytes(json, MAX_BYTES));
    }

    /** The cap on a manifest's size: a manifest of 100,000 tables is a few MiB. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    /**
     * A manifest's exact bytes (what its signature covers), read once, at most {@code cap} of them: a larger one is an
     * {@link IOException} naming the cap, and nothing past the cap is held.
     */
    public static byte[] readBytes(InputStream json, int cap) throws IOException {
        try (InputStream in = json) {
            byte[] bytes = in.readNBytes(cap);
            if (bytes.length == cap && in.read() >= 0) {
                throw new IOException("the manifest is larger than " + (cap % (1024 * 1024) == 0 ? cap / (1024 * 1024)
                        + " MiB" : cap + " bytes") + ", the cap on manifests: not read");
            }
            return bytes;
        }
    }

    /** The manifest in {@code json} (bytes read by {@link #readBytes}). */
    public static BackupManifest parse(byte[] json) throws IOException {
        return JSON.readValue(json, BackupManifest.class);
    }

    public static String keyOf(String backupKey) {
        return backupKey + SUFFIX;
    }
}
