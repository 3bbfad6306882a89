package io.pgbackup.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.pgbackup.crypto.ManifestSignature;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What each stored backup is worth, from its manifest ({@code KEY.manifest.json}):
 * <ul>
 * <li><b>good</b>: it has a manifest without a warning: it passed every check when it was stored;</li>
 * <li><b>shrunk</b>: its manifest carries a warning (the dump shrank too much, or was empty);</li>
 * <li><b>unchecked</b>: it has no manifest (stored before manifests existed, or by another tool): nothing to check
 * it against;</li>
 * <li><b>unreadable</b>: its manifest cannot be read (or is larger than {@link BackupManifest#MAX_BYTES});</li>
 * <li><b>unsigned</b> / <b>bad-signature</b> (only with SIGNATURE_PUBLIC_KEYS set): its manifest has no signature
 * ({@code KEY.manifest.json.asc}), or one that is not a good signature of its exact bytes by one of those keys;</li>
 * <li><b>future</b>: its key's time is more than {@link #FUTURE_SKEW} after now (a bucket writer's copy, or a host
 * whose clock jumped): never good, never the newest, never deleted by retention.</li>
 * </ul>
 * Restore and verify take the newest good backup (at or before a time, if given); the shrink check compares with
 * the newest good one however far back it is; {@code list} shows every backup's state. Whether a manifest exists is
 * known from the listing itself ({@link ObjectListing#MANIFESTS}); only existing manifests are read.
 */
public class BackupCatalog {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.catalog");
    private static final int PARALLEL_READS = 8;
    /** How far after now a key's time may be (clocks differ a little) before the key counts as future-dated. */
    public static final Duration FUTURE_SKEW = Duration.ofHours(1);

    public enum State {
        GOOD, SHRUNK, UNCHECKED, UNREADABLE, UNSIGNED, BAD_SIGNATURE, FUTURE;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Whether {@code backup}'s key time (local, in {@code zone}) is more than {@link #FUTURE_SKEW} after {@code now}. */
    public static boolean isFuture(BackupKey backup, ZoneId zone, Instant now) {
        return backup.time().atZone(zone).toInstant().isAfter(now.plus(FUTURE_SKEW));
    }

    /** Why a future-dated backup is passed over, for logs and {@code list}. */
    static String futureNote(BackupKey backup) {
        return "dated " + backup.time().toString().replace('T', ' ') + ", more than " + FUTURE_SKEW.toHours()
                + " h after now: never counted, never deleted";
    }

    /** One stored backup: its object, what its key says, its state and (when read) its manifest. */
    public record Entry(S3Object object, BackupKey backup, State state, BackupManifest manifest, String note) {
    }

    private ObjectStore store;
    private ManifestSignature signature;
    private ZoneId zone = ZoneId.of("Asia/Seoul");
    private Clock clock = Clock.systemUTC();

    /**
     * Sets the run's key and manifest ({@link DatabaseRun#manifest}): the backup named by {@value RunProperties#REQUESTED_KEY}, or else the newest
     * good backup of the listing in the body (one database's backups, oldest first), at or before {@value RunProperties#NOT_AFTER}
     * when set. Backups passed over are logged with the reason.
     */
    @SuppressWarnings("unchecked")
    public void choose(Exchange exchange) {
        String requested = exchange.getProperty(RunProperties.REQUESTED_KEY, "", String.class);
        if (!requested.isBlank()) {
            chooseNamed(exchange, requested);
            return;
        }
        String database = exchange.getProperty(RunProperties.LIST_DATABASE, "", String.class);
        LocalDateTime notAfter = exchange.getProperty(RunProperties.NOT_AFTER, LocalDateTime.class);
        List<S3Object> backups = exchange.getMessage().getBody(List.class);
        Entry good = newestGood(backups == null ? List.of() : backups, manifests(exchange), null, notAfter, true);
        if (good == null) {
            throw new NoGoodBackupException("no good backup of database '" + database + "'"
                    + (notAfter == null ? "" : " at or before " + notAfter.toString().replace('T', ' '))
                    + " in bucket " + store.bucket() + " (" + (backups == null ? 0 : backups.size())
                    + " backup(s) listed; good = with a manifest and no warning" + (isVerifying()
                    ? ", signed by one of SIGNATURE_PUBLIC_KEYS" : "") + ", not future-dated; see: pg-backup list). A backup that is"
                    + " not good restores only when named with --key");
        }
        DatabaseRun.of(exchange).setKey(good.object().key());
        DatabaseRun.of(exchange).setManifest(good.manifest());
    }

    private void chooseNamed(Exchange exchange, String key) {
        String bucket = store.bucket();
        BackupKey backup = BackupKey.parseListed(key).orElseThrow(() -> new NoGoodBackupException(key
                + " is not a backup's key (DIR/YYYY/MM/DD/DATABASE_YYYYMMDDHHMMSS.sql.gz...; see: pg-backup list)"));
        if (store.head(key) == null) {
            throw new NoGoodBackupException("no backup " + key + " in bucket " + bucket + " (see: pg-backup list)");
        }
        StoredManifest read;
        try {
            read = StoredManifest.read(store, signature, backup);
        } catch (java.io.IOException | RuntimeException e) {
            throw new StoredObjectMismatchException("the manifest of " + key + " cannot be read (" + e.getMessage()
                    + "): the backup cannot be checked");
        }
        if (read == null && isVerifying()) {
            throw new NoGoodBackupException("refused " + key + ": it has no manifest, so it is unsigned;"
                    + " SIGNATURE_PUBLIC_KEYS is set, so only a backup whose manifest one of those keys signed is"
                    + " restored or verified");
        } else if (read == null) {
            LOG.warn("{} has no manifest: it cannot be checked against what was dumped (no SHA-256, sizes or row counts);"
                    + " restoring it because it was named with --key", key);
        } else if (read.refused() != null) {
            throw new NoGoodBackupException("refused " + key + ": its manifest is " + read.refused().label() + " ("
                    + read.note() + "); SIGNATURE_PUBLIC_KEYS is set, so only a backup whose manifest one of"
                    + " those keys signed is restored or verified");
        }
        BackupManifest manifest = read == null ? null : read.manifest();
        if (manifest != null && manifest.key != null && !manifest.key.equals(key)) {
            throw new StoredObjectMismatchException("the manifest beside " + key + " describes another backup ("
                    + manifest.key + ")");
        }
        if (manifest != null && manifest.warning != null && !manifest.warning.isBlank()) {
            LOG.warn("{} is not counted as good ({}); restoring it because it was named with --key", key, manifest.warning);
        }
        if (isFuture(backup, zone, clock.instant())) {
            LOG.warn("{} is not counted as good ({}); restoring it because it was named with --key", key, futureNote(backup));
        }
        DatabaseRun.of(exchange).setKey(key);
        DatabaseRun.of(exchange).setManifest(manifest);
    }

    /**
     * The newest good backup of {@code backups} (oldest first), skipping {@code except} and anything after
     * {@code notAfter}; null when there is none. Manifests are read newest first until a good one is found.
     */
    public Entry newestGood(List<S3Object> backups, Set<String> manifests, String except, LocalDateTime notAfter,
            boolean logPassedOver) {
        for (int i = backups.size() - 1; i >= 0; i--) {
            S3Object object = backups.get(i);
            BackupKey backup = BackupKey.parseListed(object.key()).orElse(null);
            if (backup == null || object.key().equals(except) || notAfter != null && backup.time().isAfter(notAfter)) {
                continue;
            }
            Entry entry = describe(object, backup, manifests, clock.instant());
            if (entry.state() == State.GOOD) {
                return entry;
            }
            if (logPassedOver) {
                LOG.info("passed over {}: {} ({})", object.key(), entry.state().label(), entry.note());
            }
        }
        return null;
    }

    /** Body: listed backups; returns an {@link Entry} for each, in the same order (manifests read in parallel). */
    @SuppressWarnings("unchecked")
    public List<Entry> describe(Exchange exchange) throws Exception {
        List<S3Object> backups = exchange.getMessage().getBody(List.class);
        Set<String> manifests = manifests(exchange);
        Instant now = clock.instant();
        ExecutorService readers = Executors.newFixedThreadPool(PARALLEL_READS, r -> {
            Thread t = new Thread(r, "pg-backup-manifest-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Entry>> pending = new ArrayList<>();
            for (S3Object object : backups) {
                BackupKey backup = BackupKey.parseListed(object.key()).orElseThrow();
                pending.add(readers.submit(() -> describe(object, backup, manifests, now)));
            }
            List<Entry> entries = new ArrayList<>(pending.size());
            for (Future<Entry> entry : pending) {
                entries.add(entry.get(5, TimeUnit.MINUTES));
            }
            return entries;
        } finally {
            readers.shutdownNow();
        }
    }

    private Entry describe(S3Object object, BackupKey backup, Set<String> manifests, Instant now) {
        if (isFuture(backup, zone, now)) {
            return new Entry(object, backup, State.FUTURE, null, futureNote(backup));
        }
        if (!manifests.contains(object.key())) {
            return new Entry(object, backup, State.UNCHECKED, null, "no manifest");
        }
        StoredManifest read;
        try {
            read = StoredManifest.read(store, signature, backup);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("manifest of {} unreadable: {}", object.key(), e.getMessage());
            return new Entry(object, backup, State.UNREADABLE, null, "manifest unreadable: " + e.getMessage());
        }
        if (read == null) {
            return new Entry(object, backup, State.UNCHECKED, null, "no manifest");
        }
        if (read.refused() != null) {
            return new Entry(object, backup, read.refused(), null, read.note());
        }
        BackupManifest manifest = read.manifest();
        if (manifest.key != null && !manifest.key.equals(object.key())) {
            return new Entry(object, backup, State.UNREADABLE, null, "its manifest describes " + manifest.key);
        }
        if (manifest.warning != null && !manifest.warning.isBlank()) {
            return new Entry(object, backup, State.SHRUNK, manifest, manifest.warning);
        }
        return new Entry(object, backup, State.GOOD, manifest, "manifest present, no warning");
    }

    private boolean isVerifying() {
        return signature != null && signature.isVerifying();
    }

    /**
     * For health and the stale check: the newest good backup of each database among {@code backups} (oldest first),
     * oldest first; manifests are read newest first, per database, until a good one is found.
     */
    public List<S3Object> newestGoodOfEach(List<S3Object> backups, Set<String> manifests) {
        java.util.Map<String, List<S3Object>> byDatabase = new java.util.TreeMap<>();
        for (S3Object object : backups) {
            BackupKey.parseListed(object.key()).ifPresent(backup -> byDatabase.computeIfAbsent(backup.database(),
                    d -> new ArrayList<>()).add(object));
        }
        List<S3Object> newest = new ArrayList<>();
        byDatabase.values().forEach(ofDatabase -> {
            Entry good = newestGood(ofDatabase, manifests, null, null, false);
            if (good != null) {
                newest.add(good.object());
            }
        });
        return newest;
    }

    @SuppressWarnings("unchecked")
    public static Set<String> manifests(Exchange exchange) {
        Set<String> manifests = exchange.getProperty(ObjectListing.MANIFESTS, Set.class);
        return manifests == null ? Collections.emptySet() : manifests;
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }

    public void setSignature(ManifestSignature signature) {
        this.signature = signature;
    }

    /** BACKUP_TIMEZONE: the keys' times are local times there (for the future-dated check). */
    public void setTimezone(String timezone) {
        this.zone = ZoneId.of(timezone);
    }

    /** For tests: a clock of their own. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** There is no backup to restore or verify (none at all, none good, or the named one is missing). */
    public static class NoGoodBackupException extends IllegalStateException {
        public NoGoodBackupException(String message) {
            super(message);
        }
    }
}
