package io.pgbackup.storage;

import io.pgbackup.DatabaseRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgbackup.crypto.ManifestSignature;
import io.pgbackup.manifest.BackupManifest;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every object of one backup, its key and its continuation objects ({@link ContinuationKey}), for the routes that
 * write or remove them: the check before the dump that none of them exists yet (pre-dump-checks.yaml), the removal of
 * what a failed backup wrote (failures.yaml), and the continuations retention deletes with their backup
 * (retention.yaml). A backup never removes an object it did not write: only an object whose ETag is the one it stored.
 */
public class BackupObjects {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.upload");

    private ObjectStorage storage;

    /** The objects this run's upload stored, in order, each checked by HEAD (null before it stored any). */
    @SuppressWarnings("unchecked")
    public static List<StoredObject> stored(Exchange exchange) {
        return exchange.getProperty(ObjectSequence.STORED, List.class);
    }

    /**
     * Before the dump: no continuation object of this run's key ({@code KEY.part2} ...) may exist either (the key
     * itself is checked by refuse-existing-key); one that does is refused, never overwritten.
     */
    public void refuseExistingContinuations(Exchange exchange) {
        S3Client s3 = storage.client(exchange.getContext());
        String bucket = storage.bucket(exchange.getContext());
        String key = DatabaseRun.of(exchange).key();
        s3.listObjects(b -> b.bucket(bucket).prefix(key + ContinuationKey.SEPARATOR).maxKeys(100)).contents().stream()
                .filter(object -> ContinuationKey.of(object.key()).filter(c -> c.backupKey().equals(key)).isPresent())
                .findFirst().ifPresent(object -> {
                    throw existing(bucket, object.key());
                });
    }

    /** {@code key} must not exist: a continuation object is never written over another. */
    static void refuseExisting(S3Client s3, String bucket, String key) {
        if (head(s3, bucket, key) != null) {
            throw existing(bucket, key);
        }
    }

    private static IllegalStateException existing(String bucket, String key) {
        return new IllegalStateException("object " + bucket + "/" + key + " already exists; refusing to overwrite it");
    }

    /**
     * A backup that failed after its upload (read-back, manifest) must not leave its objects behind: each object this
     * run stored ({@value ObjectSequence#STORED}) is removed when its ETag is still the one this run stored, and the
     * manifest (with its signature) when this run wrote it and the backup's first object is its own. What is left is
     * logged.
     */
    public void removeWhatThisRunWrote(Exchange exchange) {
        S3Client s3 = storage.client(exchange.getContext());
        String bucket = storage.bucket(exchange.getContext());
        String key = DatabaseRun.of(exchange).key();
        List<StoredObject> objects = stored(exchange);
        if (objects == null || objects.isEmpty()) {
            objects = List.of(new StoredObject(key, 0, 0, exchange.getProperty(StreamingUpload.ETAG, String.class)));
        }
        if (Boolean.TRUE.equals(exchange.getProperty(StreamingUpload.MANIFEST_WRITTEN, Boolean.class))
                && isOurs(s3, bucket, objects.get(0))) {
            // its signature too, when it was signed (deleting a key that is not there is no error)
            String manifest = BackupManifest.keyOf(key);
            s3.deleteObject(b -> b.bucket(bucket).key(manifest + ManifestSignature.SUFFIX));
            s3.deleteObject(b -> b.bucket(bucket).key(manifest));
        }
        removeOurs(s3, bucket, objects);
    }

    /**
     * Removes each of {@code objects} whose ETag is still the one stored, the last first (the backup's own key last: a
     * removal cut short leaves a backup that retention lists, never continuations without it).
     */
    static void removeOurs(S3Client s3, String bucket, List<StoredObject> objects) {
        for (int i = objects.size() - 1; i >= 0; i--) {
            StoredObject object = objects.get(i);
            if (isOurs(s3, bucket, object)) {
                s3.deleteObject(b -> b.bucket(bucket).key(object.key()));
                LOG.warn("removed {}/{}: its backup failed", bucket, object.key());
            }
        }
    }

    /** Whether {@code object}'s key holds the object this run stored (its ETag); logs why not. */
    private static boolean isOurs(S3Client s3, String bucket, StoredObject object) {
        HeadObjectResponse head = head(s3, bucket, object.key());
        if (head == null) {
            LOG.warn("{}/{} is already gone", bucket, object.key());
            return false;
        }
        String etag = StoredObject.etag(head.eTag());
        if (object.etag() == null || !etag.equals(object.etag())) {
            LOG.warn("{}/{} was NOT removed: it is not the object this backup stored (ETag {}, ours {}): another writer's?"
                    + " It has no manifest of this backup, so it does not count as a good backup", bucket, object.key(),
                    etag, object.etag());
            return false;
        }
        return true;
    }

    /** The object's HEAD, or null when there is no such key. */
    public static HeadObjectResponse head(S3Client s3, String bucket, String key) {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /**
     * For retention.yaml: the continuation objects of the backup being deleted (exchange property {@code pruneKey}),
     * as the listing found them ({@link ObjectListing#CONTINUATIONS}), the last first.
     */
    @SuppressWarnings("unchecked")
    public List<String> prunedContinuations(Exchange exchange) {
        Map<String, List<S3Object>> continuations = exchange.getProperty(ObjectListing.CONTINUATIONS, Map.class);
        List<String> keys = new ArrayList<>();
        if (continuations != null) {
            continuations.getOrDefault(exchange.getProperty("pruneKey", String.class), List.of())
                    .forEach(object -> keys.add(object.key()));
        }
        keys.sort(java.util.Comparator.comparingInt((String k) -> ContinuationKey.of(k).orElseThrow().number()).reversed());
        return keys;
    }

    public void setStorage(ObjectStorage storage) {
        this.storage = storage;
    }
}
