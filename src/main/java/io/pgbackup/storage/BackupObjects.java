package io.pgbackup.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgbackup.crypto.ManifestSignature;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.manifest.StoredObject;
import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every object of one backup, its key and its continuation objects ({@link ContinuationKey}), for the routes that
 * write or remove them: the check before the dump that none of them exists yet (pre-dump-checks.yaml), the removal of
 * what a failed backup wrote (failures.yaml), and the continuations retention deletes with their backup
 * (retention.yaml). A backup never removes an object it did not write: only an object whose ETag is the one it stored.
 */
public class BackupObjects {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.upload");

    private ObjectStore store;

    /** The objects this run's upload stored, in order, each checked by HEAD (null before it stored any). */
    public static List<StoredObject> stored(Exchange exchange) {
        return DatabaseRun.of(exchange).stored().objects();
    }

    /**
     * Before the dump: no continuation object of this run's key ({@code KEY.part2} ...) may exist either (the key
     * itself is checked by refuse-existing-key); one that does is refused, never overwritten.
     */
    public void refuseExistingContinuations(Exchange exchange) {
        String key = DatabaseRun.of(exchange).key();
        store.list(key + ContinuationKey.SEPARATOR, object -> {
            if (ContinuationKey.of(object.key()).filter(c -> c.backupKey().equals(key)).isPresent()) {
                throw existing(store.bucket(), object.key());
            }
        });
    }

    /** {@code key} must not exist: a continuation object is never written over another. */
    static void refuseExisting(ObjectStore store, String key) {
        if (store.head(key) != null) {
            throw existing(store.bucket(), key);
        }
    }

    private static IllegalStateException existing(String bucket, String key) {
        return new IllegalStateException("object " + bucket + "/" + key + " already exists; refusing to overwrite it");
    }

    /**
     * A backup that failed after its upload (read-back, manifest) must not leave its objects behind: each object this
     * run stored ({@link io.pgbackup.run.StoredBackup#objects}) is removed when its ETag is still the one this run stored, and the
     * manifest (with its signature) when this run wrote it and the backup's first object is its own. What is left is
     * logged.
     */
    public void removeWhatThisRunWrote(Exchange exchange) {
        DatabaseRun run = DatabaseRun.of(exchange);
        String key = run.key();
        List<StoredObject> objects = run.stored().objects();
        if (objects == null || objects.isEmpty()) {
            objects = List.of(new StoredObject(key, 0, 0, run.stored().etag()));
        }
        if (run.stored().manifestWritten() && isOurs(store, objects.get(0))) {
            // its signature too, when it was signed (deleting a key that is not there is no error)
            String manifest = BackupManifest.keyOf(key);
            store.delete(manifest + ManifestSignature.SUFFIX);
            store.delete(manifest);
        }
        removeOurs(store, objects);
    }

    /**
     * Removes each of {@code objects} whose ETag is still the one stored, the last first (the backup's own key last: a
     * removal cut short leaves a backup that retention lists, never continuations without it).
     */
    static void removeOurs(ObjectStore store, List<StoredObject> objects) {
        for (int i = objects.size() - 1; i >= 0; i--) {
            StoredObject object = objects.get(i);
            if (isOurs(store, object)) {
                store.delete(object.key());
                LOG.warn("removed {}/{}: its backup failed", store.bucket(), object.key());
            }
        }
    }

    /** Whether {@code object}'s key holds the object this run stored (its ETag); logs why not. */
    private static boolean isOurs(ObjectStore store, StoredObject object) {
        String bucket = store.bucket();
        StoredObject head = store.head(object.key());
        if (head == null) {
            LOG.warn("{}/{} is already gone", bucket, object.key());
            return false;
        }
        String etag = head.etag();
        if (object.etag() == null || !etag.equals(object.etag())) {
            LOG.warn("{}/{} was NOT removed: it is not the object this backup stored (ETag {}, ours {}): another writer's?"
                    + " It has no manifest of this backup, so it does not count as a good backup", bucket, object.key(),
                    etag, object.etag());
            return false;
        }
        return true;
    }

    /**
     * For retention.yaml: every object of the backup being deleted (exchange properties {@code pruneKey},
     * {@code pruneManifestKey}, {@code pruneSignatureKey}) in the order they are deleted: the signature, the manifest,
     * the continuation objects as the listing found them ({@link ObjectListing#CONTINUATIONS}) the last first, then the
     * backup itself. A deletion cut short leaves a backup that the next run deletes, never a manifest without its backup.
     */
    @SuppressWarnings("unchecked")
    public List<String> prunedObjects(Exchange exchange) {
        Map<String, List<S3Object>> continuations = exchange.getProperty(ObjectListing.CONTINUATIONS, Map.class);
        String key = exchange.getProperty("pruneKey", String.class);
        List<String> keys = new ArrayList<>();
        if (continuations != null) {
            continuations.getOrDefault(key, List.of()).forEach(object -> keys.add(object.key()));
        }
        keys.sort(java.util.Comparator.comparingInt((String k) -> ContinuationKey.of(k).orElseThrow().number()).reversed());
        keys.add(0, exchange.getProperty("pruneManifestKey", String.class));
        keys.add(0, exchange.getProperty("pruneSignatureKey", String.class));
        keys.add(key);
        return keys;
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }
}
