package io.pgbackup.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Bucket hygiene: a backup killed mid-upload (SIGKILL, an OOM kill, a forced stop, a cluster instance that died)
 * leaves a multipart upload behind whose parts stay in the bucket, billed and invisible to a listing. Before each
 * backup run and in {@code prune}, the incomplete multipart uploads of backup keys under BACKUP_PREFIX whose backup
 * began longer ago than DUMP_TIMEOUT_MS plus a grace period (DUMP_TIMEOUT_MS again, at most 5 minutes, for the last
 * part after the dump) are aborted, each one logged: no running backup, on any instance, can still own them. When
 * it began is the later of the time in the key and the store's own {@code Initiated} time when the store reports it
 * (NCP does; S3Proxy's in-memory store answers with the time of the listing itself, which is no upload's start and
 * is passed over, as a missing one is): another instance, with a longer DUMP_TIMEOUT_MS
 * or a clock behind ours, may upload under a key that looks old, and its live upload must not be aborted.
 * {@code prune --dry-run} only lists them. A continuation object's upload ({@code KEY.part2} ...) is judged by its
 * backup's key. Uploads of other keys are never touched (the prefix may be shared). A
 * store that cannot list them is logged as a warning: hygiene never fails a backup.
 */
public class IncompleteUploads {

    /** Exchange property out: what was found, for prune's output. */
    public static final String FOUND = "incompleteUploads";

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.hygiene");
    private static final int MAX_PAGES = 10_000;

    /** One incomplete upload older than the limit. */
    public record Stale(String key, String uploadId, Instant initiated, boolean aborted) {
        public String line() {
            return "INCOMPLETE\t" + key + "\tmultipart upload " + uploadId + " begun " + initiated
                    + (aborted ? ": aborted" : ": would be aborted (dry run)");
        }
    }

    private ObjectStore store;
    private String prefix = "";
    private long olderThanMillis;
    /** BACKUP_TIMEZONE: read when used (the settings check names a bad one; a bean must not fail first). */
    private String timezone;

    public void cleanUp(Exchange exchange) {
        boolean dryRun = exchange.getProperty(RunProperties.PRUNE_DRY_RUN, false, Boolean.class) /* list only */;
        List<Stale> found = new ArrayList<>();
        exchange.setProperty(FOUND, found);
        S3Client s3;
        String bucket;
        try {
            s3 = store.client();
            bucket = store.bucket();
        } catch (RuntimeException e) {
            LOG.warn("cannot look for incomplete multipart uploads: {}", e.getMessage());
            return;
        }
        java.time.ZoneId zone = java.time.ZoneId.of(timezone);
        Instant cutoff = Instant.now().minus(Duration.ofMillis(olderThanMillis + Math.min(olderThanMillis, 300_000L)));
        String keyMarker = null;
        String uploadIdMarker = null;
        try {
            for (int page = 0; page < MAX_PAGES; page++) {
                String keyFrom = keyMarker;
                String uploadFrom = uploadIdMarker;
                Instant asked = Instant.now();
                ListMultipartUploadsResponse listing = s3.listMultipartUploads(b -> b.bucket(bucket)
                        .prefix(prefix.isEmpty() ? null : prefix).keyMarker(keyFrom).uploadIdMarker(uploadFrom));
                LOG.debug("{} incomplete multipart upload(s) in {} under '{}' (page {}), aborting those begun before {}",
                        listing.uploads().size(), bucket, prefix, page + 1, cutoff);
                for (MultipartUpload upload : listing.uploads()) {
                    // a continuation object (KEY.part2 ...) is as old as its backup
                    Instant keyTime = BackupKey.parse(ContinuationKey.backupOf(upload.key()), prefix)
                            .map(b -> b.time().atZone(zone).toInstant()).orElse(null);
                    Instant begun = begun(keyTime, upload.initiated(), asked);
                    LOG.debug("incomplete upload of {}: key time {}, upload initiated {}", upload.key(), keyTime,
                            upload.initiated());
                    if (begun != null && begun.isBefore(cutoff)) {
                        if (!dryRun) {
                            s3.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
                            LOG.warn("aborted the incomplete multipart upload of {}/{} (its backup began {}, upload"
                                    + " initiated {}: longer ago than DUMP_TIMEOUT_MS allows a backup to run): its parts are"
                                    + " gone", bucket, upload.key(), keyTime, upload.initiated());
                        } else {
                            LOG.info("would abort the incomplete multipart upload of {}/{} (its backup began {})", bucket,
                                    upload.key(), begun);
                        }
                        found.add(new Stale(upload.key(), upload.uploadId(), begun, !dryRun));
                    }
                }
                if (!Boolean.TRUE.equals(listing.isTruncated())) {
                    return;
                }
                keyMarker = listing.nextKeyMarker();
                uploadIdMarker = listing.nextUploadIdMarker();
                if (keyMarker == null && uploadIdMarker == null) {
                    return;
                }
            }
        } catch (SdkException | IllegalStateException e) {
            LOG.warn("cannot list or abort incomplete multipart uploads in {} under '{}' ({}); set the bucket's lifecycle"
                    + " rule for incomplete uploads (README)", bucket, prefix, e.getMessage());
        }
    }

    /**
     * When an upload began, for judging its age: the later of the backup's time (from its key; null for a key that is
     * not a backup's, which is never touched) and the store's Initiated time (null when the store does not report it;
     * passed over when not before {@code asked}, the moment the listing was asked for).
     */
    static Instant begun(Instant keyTime, Instant initiated, Instant asked) {
        if (keyTime == null) {
            return null;
        }
        // a time not before the listing was asked for is the listing's own, not the upload's
        boolean reported = initiated != null && initiated.isBefore(asked);
        return reported && initiated.isAfter(keyTime) ? initiated : keyTime;
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }

    public void setTimezone(String timezone) {
        this.timezone = timezone;
    }

    public void setOlderThanMillis(long olderThanMillis) {
        this.olderThanMillis = olderThanMillis;
    }
}
