package io.pgbackup.support;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 API server for tests: S3Proxy on 127.0.0.1 with AWS v2/v4 authentication on, storing objects as files in
 * memory. {@link #client()} is an independent AWS SDK client for inspecting the bucket.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "AKTESTLOCAL";
    public static final String SECRET_KEY = "sk-test-local-secret";
    public static final String REGION = "kr-standard";

    private final S3Proxy proxy;
    private final org.jclouds.blobstore.BlobStore blobStore;
    private final URI endpoint;
    private final S3Client client;

    public S3Server() throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
        endpoint = URI.create("http://127.0.0.1:" + PostgresServer.freePort());
        blobStore = context.getBlobStore();
        proxy = S3Proxy.builder().blobStore(blobStore).endpoint(endpoint)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 30 s");
            }
            Thread.sleep(50);
        }
        client = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public String endpoint() {
        return endpoint.toString();
    }

    /** The settings pg-backup needs to reach this store: endpoint and credentials. */
    public Map<String, String> clientSettings() {
        return Map.of("OBJECT_STORAGE_ENDPOINT", endpoint(), "OBJECT_STORAGE_ACCESS_KEY", ACCESS_KEY,
                "OBJECT_STORAGE_SECRET_KEY", SECRET_KEY);
    }

    public void createBucket(String bucket) {
        blobStore.createContainerInLocation(null, bucket);
    }

    public S3Client client() {
        return client;
    }

    /** The backups in the bucket (first 1000 keys): every object except the manifests beside them. */
    public List<S3Object> objects(String bucket) {
        return allObjects(bucket).stream().filter(o -> !o.key().endsWith(".manifest.json")).toList();
    }

    /** Every object (first 1000 keys), manifests included. */
    public List<S3Object> allObjects(String bucket) {
        return client.listObjects(ListObjectsRequest.builder().bucket(bucket).build()).contents();
    }

    public void put(String bucket, String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(content));
    }

    /** Every key in the bucket, in key order: all pages (ListObjectsV2, so not the app's own v1 paging). */
    public List<String> keys(String bucket) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).maxKeys(1000)).contents().stream()
                .map(S3Object::key).toList();
    }

    public byte[] get(String bucket, String key) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    @Override
    public void close() throws Exception {
        client.close();
        proxy.stop();
    }
}
