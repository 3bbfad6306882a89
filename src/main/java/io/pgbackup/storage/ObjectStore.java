package io.pgbackup.storage;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Consumer;

import io.pgbackup.manifest.StoredObject;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The one way into a store: HEAD, GET, PUT, DELETE and the listing of a prefix, by key, for the routes (as a bean: the
 * key is the body, never part of an expression or an endpoint URI; object keys come from the bucket and are untrusted)
 * and the Java helpers alike. One instance a store: {@code objectStore} (the primary, or with {@code --from copy} the
 * copy) and {@code copyObjectStore} (COPY_TO_*), each over the client and bucket of one aws2-s3 endpoint (routes/beans.yaml;
 * endpoint override, region, path style and keys from the component settings, or the copy's own client).
 * <p>
 * The store's own errors reach the caller as the SDK throws them (the dead letter classifies and words them: a
 * missing key, an archived object, a lock refusal). A missing key is null from {@link #head} and
 * {@link #getIfPresent}, an error from {@link #get}. A PUT is a plain body with Content-MD5 (no aws-chunked
 * encoding, no trailing checksums: S3-compatible stores reject them). The multipart upload of a stream
 * ({@link StreamingUpload}, {@link ObjectSequence}), the lock queries ({@link ObjectLock}) and the incomplete uploads
 * ({@link IncompleteUploads}) are operations of their own on {@link #client()}.
 */
public final class ObjectStore implements CamelContextAware {

    /** ListObjects v1 (NCP has no v2): at most this many keys a page. */
    static final int PAGE_SIZE = 1000;
    private static final int MAX_PAGES = 100_000;

    private CamelContext context;
    private String endpointUri = "";
    private S3Client ownClient;
    private String ownBucket;
    private int pageSize = PAGE_SIZE;

    /** A store over a client of its own rather than an endpoint's (tests). */
    static ObjectStore over(S3Client client, String bucket, int pageSize) {
        ObjectStore store = new ObjectStore();
        store.ownClient = client;
        store.ownBucket = bucket;
        store.pageSize = pageSize;
        return store;
    }

    /** The object's size and ETag (unquoted, lower case) as a {@link StoredObject} of no parts; null when there is no such key. */
    public StoredObject head(String key) {
        HeadObjectResponse head;
        try {
            head = client().headObject(b -> b.bucket(bucket()).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
        return new StoredObject(key, head.contentLength() == null ? -1 : head.contentLength(), 0,
                StoredObject.etag(head.eTag()));
    }

    /** The object's bytes as they are read from the store; a missing key is the store's error (NoSuchKey). */
    public InputStream get(String key) {
        return client().getObject(b -> b.bucket(bucket()).key(key));
    }

    /** The object's bytes, or null when there is no such key. */
    public InputStream getIfPresent(String key) {
        try {
            return get(key);
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    /**
     * Stores the first {@code length} bytes of {@code bytes} under {@code key} in one PutObject with its Content-MD5,
     * {@code contentType} and {@code headers} (lock, storage class); returns what was sent (its ETag: the MD5).
     */
    public StoredObject put(String key, byte[] bytes, int length, String contentType, UploadHeaders.Headers headers) {
        MessageDigest digest = StreamingUpload.digest("MD5");
        digest.update(bytes, 0, length);
        byte[] md5 = digest.digest();
        client().putObject(PutObjectRequest.builder().bucket(bucket()).key(key).contentType(contentType)
                .contentLength((long) length).contentMD5(Base64.getEncoder().encodeToString(md5)).applyMutation(headers::put)
                .overrideConfiguration(o -> o.addPlugin(PlainSignedPayload.INSTANCE)).build(), body(bytes, length));
        return new StoredObject(key, length, 0, HexFormat.of().formatHex(md5));
    }

    /** Deletes {@code key} (a key that is not there is no error). */
    public void delete(String key) {
        client().deleteObject(b -> b.bucket(bucket()).key(key));
    }

    /** Every object under {@code prefix} (empty: the whole bucket), in key order, page by page. */
    public void list(String prefix, Consumer<S3Object> each) {
        String marker = null;
        for (int pages = 1; ; pages++) {
            ListObjectsRequest.Builder request = ListObjectsRequest.builder().bucket(bucket()).maxKeys(pageSize);
            if (prefix != null && !prefix.isEmpty()) {
                request.prefix(prefix);
            }
            if (marker != null) {
                request.marker(marker);
            }
            java.util.List<S3Object> page = client().listObjects(request.build()).contents();
            if (page.isEmpty()) {
                return;
            }
            page.forEach(each);
            String last = page.get(page.size() - 1).key();
            if (last.equals(marker)) {
                throw new IllegalStateException("Object Storage listing did not advance past marker " + last);
            }
            if (page.size() < pageSize) {
                return;
            }
            if (pages >= MAX_PAGES) {
                throw new IllegalStateException("Object Storage listing exceeded " + MAX_PAGES + " pages");
            }
            marker = last;
        }
    }

    /** The bucket. */
    public String bucket() {
        return ownBucket != null ? ownBucket : endpoint().getConfiguration().getBucketName();
    }

    /** The store's client, for the operations that are not the port's own (multipart upload, locks). */
    S3Client client() {
        return ownClient != null ? ownClient : endpoint().getS3Client();
    }

    /** UPLOAD_PART_SIZE, as the endpoint has it. */
    long partSize() {
        return ownClient != null ? 5L * 1024 * 1024 : endpoint().getConfiguration().getPartSize();
    }

    private AWS2S3Endpoint endpoint() {
        return context.getEndpoint(endpointUri, AWS2S3Endpoint.class);
    }

    /** A body the SDK can read twice (once to sign it, once to send it) without copying it. */
    static RequestBody body(byte[] data, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                "application/octet-stream");
    }

    public void setEndpointUri(String endpointUri) {
        this.endpointUri = endpointUri;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
