package io.pgbackup.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Object Lock (OBJECT_LOCK_MODE, OBJECT_LOCK_DAYS): every object a backup writes is stored with a retention until
 * one retain-until date of that run ({@link UploadHeaders} sends it), and pg-backup never deletes an object before
 * that date. The store is the truth about locks: a backup run first checks that the bucket has Object Lock enabled
 * ({@link #checkBucket}), retention asks the store how long each backup it would delete is still locked
 * ({@link #lockedUntil}, for retention/LockedBackups), and a failed backup whose object the store refuses to delete
 * says so in its alert ({@link #reportLeftLocked}).
 */
public class ObjectLock {

    /** Exchange property: the retain-until ({@link Instant}) of every object this run writes. */
    public static final String RETAIN_UNTIL = "objectRetainUntil";
    /** How a retention decision held back by a lock begins (the plan's reason, and {@code prune}'s line). */
    public static final String LOCKED = "LOCKED until ";

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.object-lock");

    private ObjectStore store;
    private String mode = "";
    private int days;
    private Clock clock = Clock.systemUTC();

    public boolean isOn() {
        return !mode.isEmpty();
    }

    String mode() {
        return mode;
    }

    /**
     * The start of a backup run, with OBJECT_LOCK_MODE set: the bucket must have Object Lock enabled, else the run
     * fails with one line before anything is dumped (a lock header the store does not know is refused, or worse,
     * ignored). Not retried: the store's answer will not change by itself.
     */
    public void checkBucket(Exchange exchange) {
        if (!isOn()) {
            return;
        }
        S3Client s3 = store.client();
        String bucket = store.bucket();
        String problem;
        try {
            ObjectLockConfiguration config = s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration();
            if (config != null && config.objectLockEnabled() == ObjectLockEnabled.ENABLED) {
                LOG.debug("bucket {} has Object Lock enabled: backups are locked {} days ({})", bucket, days, mode);
                return;
            }
            problem = "bucket " + bucket + " does not have Object Lock enabled";
        } catch (S3Exception e) {
            if (e.statusCode() >= 500 && e.statusCode() != 501) {
                throw e;
            }
            problem = e.statusCode() == 501 ? "the store does not support Object Lock (" + answer(e) + ")"
                    : "bucket " + bucket + " shows no Object Lock configuration (" + answer(e) + ")";
        }
        throw new UnavailableException("OBJECT_LOCK_MODE=" + mode + " but " + problem + ": no backup is written without"
                + " its lock; use a bucket created with Object Lock enabled, or empty OBJECT_LOCK_MODE");
    }

    /** The retain-until of this run's objects, OBJECT_LOCK_DAYS from now: set when its backup object is written. */
    Instant startRetention(Exchange exchange) {
        if (!isOn()) {
            return null;
        }
        Instant until = clock.instant().plus(Duration.ofDays(days)).truncatedTo(ChronoUnit.SECONDS);
        exchange.setProperty(RETAIN_UNTIL, until);
        return until;
    }

    /** The retain-until of this run's objects: the backup object's, so that all of them are unlocked together. */
    Instant retention(Exchange exchange) {
        if (!isOn()) {
            return null;
        }
        Instant until = exchange.getProperty(RETAIN_UNTIL, Instant.class);
        return until != null ? until : startRetention(exchange);
    }

    /** The store's clock for lock dates (retention/LockedBackups compares retain-until dates with it). */
    public Instant now() {
        return clock.instant();
    }

    /** The bucket the locks are in, for log lines. */
    public String bucket() {
        return store.bucket();
    }

    /**
     * The latest retain-until after {@code now} among {@code keys} (a backup's objects); null when none of them is
     * locked. Only asked with OBJECT_LOCK_MODE set ({@link #isOn}).
     */
    public Instant lockedUntil(List<String> keys, Instant now) {
        S3Client s3 = store.client();
        String bucket = store.bucket();
        Instant latest = null;
        for (String key : keys) {
            Instant until = retainUntil(s3, bucket, key);
            if (until != null && until.isAfter(now) && (latest == null || until.isAfter(latest))) {
                latest = until;
            }
        }
        return latest;
    }

    private static Instant retainUntil(S3Client s3, String bucket, String key) {
        try {
            ObjectLockRetention retention = s3.getObjectRetention(b -> b.bucket(bucket).key(key)).retention();
            return retention == null ? null : retention.retainUntilDate();
        } catch (S3Exception e) {
            // 404: no such object, or no retention on it; 400: no Object Lock on the bucket; 501: none in the store
            if (e.statusCode() == 404 || e.statusCode() == 400 || e.statusCode() == 501) {
                return null;
            }
            throw e;
        }
    }

    /**
     * failures.yaml: whether the removal of a failed backup's object failed because the store refused it (403) while
     * backups are locked: the object this run stored is under its lock.
     */
    public boolean refusedAsLocked(Exchange exchange) {
        if (!isOn()) {
            return false;
        }
        // in the doCatch of the removal: the removal's failure (the backup's own was there before)
        for (Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class); t != null;
                t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof S3Exception s3 && s3.statusCode() == 403) {
                return true;
            }
        }
        return false;
    }

    /**
     * The failure alert of a backup whose object stays because it is locked: which object, until when, and that it
     * never counts as a good backup (it has no manifest: the manifest is the last object a backup writes).
     */
    public void reportLeftLocked(Exchange exchange) {
        String bucket = store.bucket();
        String line = "the broken object " + bucket + "/" + DatabaseRun.of(exchange).key() + " remains LOCKED until "
                + retention(exchange) + " (OBJECT_LOCK_MODE=" + mode + ": the store refused to delete it); it has no"
                + " manifest, so it is never counted as a good backup, and retention deletes it once the lock has passed";
        LOG.error("{}", line);
        exchange.setProperty(RunProperties.FAILURE_CAUSE, exchange.getProperty(RunProperties.FAILURE_CAUSE, "", String.class)
                + "; " + line);
    }

    private static String answer(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.statusCode() + (code == null ? "" : " " + code);
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }

    /** OBJECT_LOCK_MODE: GOVERNANCE, COMPLIANCE, or empty (off). */
    public void setMode(String mode) {
        this.mode = mode == null ? "" : mode.strip();
    }

    /** OBJECT_LOCK_DAYS (empty when the lock is off). */
    public void setDays(String days) {
        this.days = days == null || days.isBlank() ? 0 : Integer.parseInt(days.strip());
    }

    /** For tests: a clock of their own. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** Object Lock is asked for, and the bucket or the store cannot give it. */
    public static class UnavailableException extends IllegalStateException {
        public UnavailableException(String message) {
            super(message);
        }
    }
}
