package io.pgbackup.storage;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

import io.pgbackup.manifest.StoredObject;
import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The objects a multipart backup upload ({@link StreamingUpload}) goes into. A store takes at most UPLOAD_MAX_PARTS
 * parts in one multipart upload (S3 and NCP: 10,000): when an object has that many and the stream goes on, the object
 * is completed and checked (HEAD: size and ETag), and the stream continues in the next object, {@code KEY.part2},
 * {@code KEY.part3} ... ({@link ContinuationKey}), each a multipart upload of its own, checked the same way. A
 * continuation key that already exists is refused, never overwritten. The parts stay two buffers in memory whatever
 * the number of objects.
 * <p>
 * Each object is recorded (in the run's {@link io.pgbackup.run.StoredBackup#objects}) once its HEAD check passed: the manifest
 * lists them, a read-back reads them in order, and a backup that fails afterwards removes them (failures.yaml). A
 * failure during the upload aborts the object in progress and removes the objects this upload completed (only those
 * whose ETag is the one it stored), so a retried backup starts from nothing.
 */
final class ObjectSequence {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.upload");

    private final ObjectStore store;
    private final S3Client s3;
    private final String bucket;
    private final String backupKey;
    private final int maxParts;
    /** Starts the multipart upload of a key and returns its upload id (StreamingUpload makes the request). */
    private final UnaryOperator<String> create;
    private final Exchange exchange;
    private final List<StoredObject> stored = new ArrayList<>();
    private final List<CompletedPart> parts = new ArrayList<>();
    private final MessageDigest md5s = StreamingUpload.digest("MD5");
    private String key;
    private String uploadId;
    private long bytes;

    ObjectSequence(ObjectStore store, String backupKey, int maxParts, UnaryOperator<String> create, Exchange exchange) {
        this.store = store;
        this.s3 = store.client();
        this.bucket = store.bucket();
        this.backupKey = backupKey;
        this.maxParts = maxParts;
        this.create = create;
        this.exchange = exchange;
    }

    /**
     * The number of the next part, in the object {@link #key()} / {@link #uploadId()} name afterwards: the first
     * object's upload starts with the first part; an object that has UPLOAD_MAX_PARTS parts is completed first, and
     * the part opens the next object. Call only when no part is in flight.
     */
    int nextPart() {
        if (uploadId != null && parts.size() == maxParts) {
            complete();
            LOG.info("{} has UPLOAD_MAX_PARTS={} parts ({} bytes): the backup continues in {}", key, maxParts,
                    stored.get(stored.size() - 1).bytes(), ContinuationKey.key(backupKey, stored.size() + 1));
        }
        if (uploadId == null) {
            begin();
        }
        return parts.size() + 1;
    }

    String key() {
        return key;
    }

    String uploadId() {
        return uploadId;
    }

    /** A part of the current object has been stored. */
    void partDone(StreamingUpload.PartResult part) {
        parts.add(CompletedPart.builder().partNumber(part.number()).eTag(part.etag()).build());
        md5s.update(part.md5());
        bytes += part.length();
    }

    /** Completes the current object (its parts all stored) and checks it with HEAD; it is then recorded. */
    void complete() {
        s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build());
        uploadId = null;
        StoredObject object = new StoredObject(key, bytes, parts.size(), HexFormat.of().formatHex(md5s.digest()) + "-"
                + parts.size());
        checkStored(store, object);
        stored.add(object);
        DatabaseRun.of(exchange).stored().setObjects(stored);
    }

    /** The objects completed, in order. */
    List<StoredObject> stored() {
        return List.copyOf(stored);
    }

    /**
     * The upload failed: the object in progress is aborted (no orphaned parts), and the objects completed before it
     * are removed; what cannot be is logged (and added to {@code failure}).
     */
    void abort(Throwable failure) {
        if (uploadId != null) {
            try {
                s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                        .build());
            } catch (RuntimeException abortFailed) {
                failure.addSuppressed(abortFailed);
                LOG.warn("could not abort the multipart upload of {} ({}): the store's lifecycle rule for incomplete"
                        + " uploads will have to remove its parts", key, abortFailed.getMessage());
            }
        }
        if (!stored.isEmpty()) {
            try {
                BackupObjects.removeOurs(store, stored);
            } catch (RuntimeException removeFailed) {
                failure.addSuppressed(removeFailed);
                LOG.warn("could not remove the objects this failed upload completed ({}): delete {} and its continuation"
                        + " objects by hand", removeFailed.getMessage(), backupKey);
            }
            DatabaseRun.of(exchange).stored().setObjects(null);
        }
    }

    /** HEAD the stored object: its size and ETag must be what was sent. */
    static void checkStored(ObjectStore store, StoredObject sent) {
        String key = sent.key();
        String bucket = store.bucket();
        StoredObject head = store.head(key);
        if (head == null) {
            throw new StoredObjectMismatchException("stored object " + bucket + "/" + key + " is not there after its upload");
        }
        if (head.bytes() != sent.bytes()) {
            throw new StoredObjectMismatchException("stored object " + bucket + "/" + key + " has " + head.bytes()
                    + " bytes, " + sent.bytes() + " were sent (left in place: it may be another writer's object)");
        }
        String etag = head.etag();
        if (StoredObject.isMd5Form(etag) && !etag.equals(sent.etag())) {
            throw new StoredObjectMismatchException("stored object " + bucket + "/" + key + " has ETag " + etag
                    + ", expected " + sent.etag() + " from the bytes sent (left in place: it may be another writer's object)");
        }
        if (!etag.equals(sent.etag())) {
            LOG.debug("ETag {} of {} is not an MD5 form; checked the size only", etag, key);
        }
    }

    private void begin() {
        key = ContinuationKey.key(backupKey, stored.size() + 1);
        if (!stored.isEmpty()) {
            BackupObjects.refuseExisting(store, key);
        }
        uploadId = create.apply(key);
        parts.clear();
        md5s.reset();
        bytes = 0;
    }
}
