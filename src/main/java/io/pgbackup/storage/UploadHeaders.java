package io.pgbackup.storage;

import java.time.Instant;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;

import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * What the objects of a backup are written with besides their bytes: this run's Object Lock retention
 * ({@link ObjectLock}: OBJECT_LOCK_MODE until one retain-until date) on every one of them, and UPLOAD_STORAGE_CLASS
 * on the backup object only. Its manifest and signature stay in the store's default class: list, restore and verify
 * read them at once, whatever class the backup is in.
 * <p>
 * It also writes the manifest and its signature ({@link #putManifest}, manifest.yaml), as a PutObject with
 * Content-MD5 ({@link ObjectStore#put}: a store requires it, or a checksum, with lock parameters; the SDK's own
 * checksums are off: they break S3-compatible stores) and the lock headers.
 */
public class UploadHeaders {

    private ObjectStore store;
    private ObjectLock objectLock;
    private String storageClass = "";

    /** The backup object's: its lock starts now (this run's retain-until), in UPLOAD_STORAGE_CLASS. */
    public Headers forBackup(Exchange exchange) {
        return new Headers(objectLock.mode(), objectLock.startRetention(exchange), storageClass);
    }

    /**
     * manifest.yaml: PUT the body (the manifest's bytes, or its signature's) under header {@code CamelAwsS3Key}, with
     * its Content-MD5, content type {@code CamelAwsS3ContentType} and the run's lock, in the default storage class.
     */
    public void putManifest(Exchange exchange) throws Exception {
        byte[] bytes = exchange.getMessage().getMandatoryBody(byte[].class);
        String key = exchange.getMessage().getHeader(AWS2S3Constants.KEY, String.class);
        String contentType = exchange.getMessage().getHeader(AWS2S3Constants.CONTENT_TYPE, "application/json", String.class);
        store.put(key, bytes, bytes.length, contentType, new Headers(objectLock.mode(), objectLock.retention(exchange), ""));
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }

    public void setObjectLock(ObjectLock objectLock) {
        this.objectLock = objectLock;
    }

    /** UPLOAD_STORAGE_CLASS: empty for the store's default. */
    public void setStorageClass(String storageClass) {
        this.storageClass = storageClass == null ? "" : storageClass.strip();
    }

    /**
     * The lock (mode and retain-until; null: none) and storage class (null: the store's default) of one object, set
     * on its request (a null leaves the header out).
     */
    public record Headers(String lockMode, Instant retainUntil, String storageClass) {

        /** No lock, the store's default class. */
        public static final Headers NONE = new Headers(null, null, null);

        public Headers {
            lockMode = lockMode == null || lockMode.isEmpty() ? null : lockMode;
            retainUntil = lockMode == null ? null : retainUntil;
            storageClass = storageClass == null || storageClass.isEmpty() ? null : storageClass;
        }

        public void put(PutObjectRequest.Builder request) {
            request.objectLockMode(lockMode).objectLockRetainUntilDate(retainUntil).storageClass(storageClass);
        }

        public void create(CreateMultipartUploadRequest.Builder request) {
            request.objectLockMode(lockMode).objectLockRetainUntilDate(retainUntil).storageClass(storageClass);
        }
    }
}
