package io.pgbackup.storage;

import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import io.pgbackup.crypto.ManifestSignature;
import io.pgbackup.run.DumpFacts;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.manifest.StoredObject;
import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The manifest stage (manifest.yaml): the shrink check against the previous good backup of the same database, and
 * the manifest's JSON. A backup whose dump shrank by more than MAX_SHRINK_PERCENT is kept but does not count as
 * good: its manifest carries the warning, a warning notification goes out, and retention does not run after it.
 */
public class ManifestStep {

    /** Exchange property: the manifest's armored detached signature (when manifests are signed). */
    public static final String SIGNATURE = "manifestSignatureBytes";

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.manifest");

    private BackupCatalog catalog;
    private io.pgbackup.crypto.Encryption encryption;
    private ManifestSignature signature;
    private int maxShrinkPercent;

    /**
     * Body: this database's backups, oldest first. Sets the run's {@link DatabaseRun#previous} to the manifest of the newest good one
     * (manifest present, no warning), however far back it is: a run of shrunk backups never becomes the baseline.
     */
    @SuppressWarnings("unchecked")
    public void findPreviousGood(Exchange exchange) {
        List<S3Object> backups = exchange.getMessage().getBody(List.class);
        BackupCatalog.Entry good = catalog.newestGood(backups == null ? List.of() : backups,
                BackupCatalog.manifests(exchange), DatabaseRun.of(exchange).key(), null, false);
        if (good != null) {
            DatabaseRun.of(exchange).setPrevious(good.manifest());
        } else {
            LOG.debug("no good backup of {} before this one: no shrink baseline", DatabaseRun.of(exchange).database());
        }
    }

    /** The previous good backup is in the other dump format: the rows of all tables are compared instead of sizes. */
    private void checkRowsShrink(Exchange exchange, BackupManifest previous, DumpFacts dump) {
        if (previous.tables == null) {
            LOG.info("the previous good backup {} is in the other dump format and its row counts are encrypted: no"
                    + " shrink check this time", previous.key);
            return;
        }
        long before = previous.tables.values().stream().mapToLong(Long::longValue).sum();
        long now = dump.rows().values().stream().mapToLong(Long::longValue).sum();
        if (before <= 0) {
            return;
        }
        double shrunk = 100.0 * (before - now) / before;
        if (shrunk > maxShrinkPercent) {
            DatabaseRun.of(exchange).setWarning(String.format(Locale.ROOT,
                    "the dump's rows shrank %.0f%% (%d -> %d rows) since the previous good backup %s (MAX_SHRINK_PERCENT=%d)",
                    shrunk, before, now, previous.key, maxShrinkPercent));
        }
    }

    /** Sets the run's warning when the dump shrank by more than MAX_SHRINK_PERCENT from the previous good one. */
    public void checkShrink(Exchange exchange) {
        BackupManifest previous = DatabaseRun.of(exchange).previous();
        DumpFacts dump = DatabaseRun.of(exchange).dump();
        if (dump == null) {
            return;
        }
        if (dump.bytes() == 0) {
            DatabaseRun.of(exchange).setWarning("the dump is empty");
            return;
        }
        if (previous == null || previous.rawBytes <= 0) {
            return;
        }
        if (BackupKey.isArchive(previous.key) != BackupKey.isArchive(DatabaseRun.of(exchange).key())) {
            // BACKUP_FORMAT changed since: plain SQL and an archive differ in size, their rows do not
            checkRowsShrink(exchange, previous, dump);
            return;
        }
        double shrunk = 100.0 * (previous.rawBytes - dump.bytes()) / previous.rawBytes;
        if (shrunk > maxShrinkPercent) {
            DatabaseRun.of(exchange).setWarning(String.format(Locale.ROOT,
                    "the dump shrank %.0f%% (%d -> %d bytes) since the previous good backup %s (MAX_SHRINK_PERCENT=%d)",
                    shrunk, previous.rawBytes, dump.bytes(), previous.key, maxShrinkPercent));
        }
    }

    /**
     * The manifest's JSON as the bytes that are stored (and signed, when manifests are signed): also kept as exchange
     * property {@value io.pgbackup.crypto.ManifestSignature#MANIFEST_BYTES}, with their length as the upload's.
     */
    public byte[] json(Exchange exchange) throws java.io.IOException {
        byte[] bytes = manifestOf(exchange, encryption).toJson()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.setProperty(ManifestSignature.MANIFEST_BYTES, bytes);
        return upload(exchange, bytes);
    }

    /** Whether manifests are signed (SIGNING_KEY_FILE or SIGNING_KEY_SECRET_ID). */
    public boolean isSigning() {
        return signature != null && signature.isSigning();
    }

    /**
     * Signs the manifest's bytes ({@link #json} first) before anything is stored, so that a key that cannot sign
     * fails the run before its manifest is written; the signature is kept as exchange property {@value #SIGNATURE}.
     */
    public void sign(Exchange exchange) throws java.io.IOException {
        exchange.setProperty(SIGNATURE, signature.sign(exchange));
    }

    /** The manifest's bytes, as {@link #json} made them (and {@link #sign} signed them). */
    public byte[] manifestBody(Exchange exchange) {
        return upload(exchange, exchange.getProperty(ManifestSignature.MANIFEST_BYTES, byte[].class));
    }

    /** The armored detached signature {@link #sign} made. */
    public byte[] signatureBody(Exchange exchange) {
        return upload(exchange, exchange.getProperty(SIGNATURE, byte[].class));
    }

    private static byte[] upload(Exchange exchange, byte[] bytes) {
        exchange.getMessage().setHeader("CamelAwsS3ContentLength", (long) bytes.length);
        return bytes;
    }

    public String key(Exchange exchange) {
        return BackupManifest.keyOf(DatabaseRun.of(exchange).key());
    }

    /** The key of the manifest's detached signature ({@code KEY.manifest.json.asc}). */
    public String signatureKey(Exchange exchange) {
        return io.pgbackup.crypto.ManifestSignature.keyOf(key(exchange));
    }

    public void setEncryption(io.pgbackup.crypto.Encryption encryption) {
        this.encryption = encryption;
    }

    public void setSignature(ManifestSignature signature) {
        this.signature = signature;
    }

    public void setCatalog(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    public void setMaxShrinkPercent(int maxShrinkPercent) {
        this.maxShrinkPercent = maxShrinkPercent;
    }

    /** The manifest of the backup the exchange just stored (tables encrypted when the backup is). */
    static BackupManifest manifestOf(Exchange exchange, io.pgbackup.crypto.Encryption encryption)
            throws IOException {
        BackupManifest manifest = new BackupManifest();
        DatabaseRun run = DatabaseRun.of(exchange);
        DumpFacts dump = run.dump();
        manifest.database = run.database();
        manifest.key = run.key();
        Date started = run.startedAt();
        manifest.createdAt = (started == null ? Instant.now() : started.toInstant()).toString();
        manifest.dumpFormat = run.format().dump();
        manifest.compression = run.format().compression();
        manifest.compressionLevel = run.format().level();
        manifest.objectBytes = run.compressedBytes() == null ? 0L : run.compressedBytes();
        manifest.objectSha256 = run.stored().sha256();
        manifest.chunkBytes = run.stored().chunkBytes();
        manifest.chunkSha256 = run.stored().chunkSha256();
        manifest.parts = run.stored().parts();
        java.util.List<StoredObject> objects = run.stored().objects();
        manifest.objects = objects != null && objects.size() > 1 ? objects : null;
        if (dump != null) {
            manifest.rawBytes = dump.bytes();
            manifest.pgDumpVersion = dump.dumpVersion();
            manifest.serverVersion = dump.serverVersion();
            manifest.tables.putAll(dump.rows());
        }
        manifest.warning = run.warning();
        if (run.format().encrypted()) {
            manifest.encryption = encryption.describe();
            manifest.tablesEncrypted = encryption.encryptTables(manifest.tables);
            manifest.tables = null;
        }
        return manifest;
    }
}
