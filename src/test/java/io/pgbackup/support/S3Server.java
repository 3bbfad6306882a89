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
 * A real S3 API server for tests: S3Proxy on 127.0.0.1 with AWS signature v4 required (as NCP Object Storage does for
 * the SDK; v2 is refused), storing objects in memory; over HTTP, or over HTTPS like NCP ({@link #https()}: a throwaway
 * self-signed certificate for 127.0.0.1, which pg-backup is told to trust through {@link #clientSettings()}).
 * {@link #client()} is an independent AWS SDK client for inspecting the bucket.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "AKTESTLOCAL";
    public static final String SECRET_KEY = "sk-test-local-secret";
    public static final String REGION = "kr-standard";

    private final S3Proxy proxy;
    private final String accessKey;
    private final String secretKey;
    private final org.jclouds.blobstore.BlobStore blobStore;
    private final URI endpoint;
    private final S3Client client;
    /** HTTPS only: the trust store (PKCS12, password changeit) holding the server's certificate. */
    private final java.nio.file.Path trustStore;

    public S3Server() throws Exception {
        this(false);
    }

    /** S3Proxy over HTTPS, like NCP Object Storage: the SDK then sends unsigned payloads, as in production. */
    public static S3Server https() throws Exception {
        return new S3Server(true);
    }

    /** Over HTTP with keys of its own: two stores whose keys differ (a client with the other's keys is refused). */
    public static S3Server withKeys(String accessKey, String secretKey) throws Exception {
        return new S3Server(false, accessKey, secretKey);
    }

    private S3Server(boolean tls) throws Exception {
        this(tls, ACCESS_KEY, SECRET_KEY);
    }

    private S3Server(boolean tls, String accessKey, String secretKey) throws Exception {
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        BlobStoreContext context = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
        blobStore = context.getBlobStore();
        var builder = S3Proxy.builder().blobStore(blobStore)
                .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secretKey);
        if (tls) {
            java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("pg-backup-it-tls");
            java.nio.file.Path keyStore = folder.resolve("s3proxy.p12");
            trustStore = folder.resolve("trust.p12");
            keytool("-genkeypair", "-alias", "s3proxy", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", keyStore.toString(),
                    "-storetype", "PKCS12", "-storepass", "changeit");
            java.nio.file.Path certificate = folder.resolve("s3proxy.pem");
            keytool("-exportcert", "-rfc", "-alias", "s3proxy", "-keystore", keyStore.toString(), "-storepass", "changeit",
                    "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "s3proxy", "-file", certificate.toString(), "-keystore",
                    trustStore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
            endpoint = URI.create("https://127.0.0.1:" + PostgresServer.freePort());
            builder.secureEndpoint(endpoint).keyStore(keyStore.toString(), "changeit");
        } else {
            trustStore = null;
            endpoint = URI.create("http://127.0.0.1:" + PostgresServer.freePort());
            builder.endpoint(endpoint);
        }
        proxy = builder.build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 30 s");
            }
            Thread.sleep(50);
        }
        software.amazon.awssdk.services.s3.S3ClientBuilder clientBuilder = S3Client.builder();
        if (trustStore != null) {
            java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
            try (var in = java.nio.file.Files.newInputStream(trustStore)) {
                trusted.load(in, "changeit".toCharArray());
            }
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            clientBuilder.httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder()
                    .tlsTrustManagersProvider(factory::getTrustManagers));
        }
        client = clientBuilder
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    public String endpoint() {
        return endpoint.toString();
    }

    /** The settings pg-backup needs to reach this store: endpoint and credentials (and, over HTTPS, trust). */
    public Map<String, String> clientSettings() {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("OBJECT_STORAGE_ENDPOINT", endpoint(),
                "OBJECT_STORAGE_ACCESS_KEY", accessKey, "OBJECT_STORAGE_SECRET_KEY", secretKey));
        if (trustStore != null) {
            settings.put("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=" + trustStore
                    + " -Djavax.net.ssl.trustStorePassword=changeit");
        }
        return settings;
    }

    private static void keytool(String... args) throws Exception {
        java.util.List<String> argv = new java.util.ArrayList<>();
        argv.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        argv.addAll(java.util.List.of(args));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
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
