package io.pgbackup.storage;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * What the objects of a backup are written with besides their bytes: this run's Object Lock retention
 * ({@link ObjectLock}: OBJECT_LOCK_MODE until one retain-until date) on every one of them, and UPLOAD_STORAGE_CLASS
 * on the backup object only. Its manifest and signature stay in the store's default class: list, restore and verify
 * read them at once, whatever class the backup is in.
 * <p>
 * It also writes the manifest and its signature ({@link #putManifest}, manifest.yaml), as a PutObject with
 * Content-MD5 (a store requires it, or a checksum, with lock parameters; the SDK's own checksums are off: they break
 * S3-compatible stores) and the lock headers, which camel-aws2-s3's producer cannot send.
 */
public class UploadHeaders {

    private ObjectStorage storage;
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
        Headers headers = new Headers(objectLock.mode(), objectLock.retention(exchange), "");
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        storage.client(exchange.getContext()).putObject(PutObjectRequest.builder()
                .bucket(storage.bucket(exchange.getContext())).key(key).contentType(contentType)
                .contentLength((long) bytes.length).contentMD5(md5).applyMutation(headers::put)
                .overrideConfiguration(o -> o.addPlugin(PlainSignedPayload.INSTANCE)).build(), RequestBody.fromBytes(bytes));
    }

    public void setStorage(ObjectStorage storage) {
        this.storage = storage;
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
