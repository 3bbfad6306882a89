package io.pgbackup.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A store with Object Lock for tests: Adobe S3Mock 4.7.0, its runnable jar (target/s3mock/s3mock-exec.jar, copied there
 * by the build before the end-to-end tests) in a process of its own. It creates buckets with Object Lock enabled,
 * accepts lock headers on PutObject and CreateMultipartUpload, keeps a retention set by PutObjectRetention (not one
 * sent as headers) and does not enforce locks: DeleteObject of a locked object succeeds ({@link LockingStoreStandIn}
 * refuses it, as a locked store does). It does not check signatures.
 * <p>
 * One process per test JVM ({@link #shared()}), started with a bounded wait and killed when the JVM ends. Clients
 * use its HTTP port on 127.0.0.1; its HTTPS connector is bound to 127.0.0.1 (server.address). S3Mock has no setting
 * to bind its HTTP connector to one address: that one listens on every interface, on a free port, while tests run.
 */
public final class S3MockServer {

    public static final Path JAR = PgBackupProcess.PROJECT.resolve("target/s3mock/s3mock-exec.jar");
    public static final String ACCESS_KEY = "AKS3MOCK";
    public static final String SECRET_KEY = "s3mock-secret";

    private static S3MockServer shared;

    private final Process process;
    private final Path root;
    private final URI endpoint;
    private final S3Client client;

    private S3MockServer() throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests with 'mvn verify' (the build copies it)");
        }
        root = Files.createTempDirectory("pg-backup-s3mock");
        int httpPort = PostgresServer.freePort();
        endpoint = URI.create("http://127.0.0.1:" + httpPort);
        String java = ProcessHandle.current().info().command().orElse("java");
        process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", JAR.toString(),
                "--server.address=127.0.0.1", "--server.port=" + PostgresServer.freePort(),
                "--com.adobe.testing.s3mock.httpPort=" + httpPort,
                "--com.adobe.testing.s3mock.store.root=" + root.resolve("store"),
                "--spring.main.banner-mode=off", "--logging.level.root=WARN"))
                .redirectErrorStream(true).redirectOutput(root.resolve("s3mock.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "s3mock-stop"));
        awaitStarted(Duration.ofSeconds(120));
        client = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** The one S3Mock of this test JVM, started on first use. */
    public static synchronized S3MockServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = new S3MockServer();
        }
        return shared;
    }

    /** Polls its HTTP port (ListBuckets) until it answers, the process dies, or the time is up. */
    private void awaitStarted(Duration limit) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited with " + process.exitValue() + ": " + log());
            }
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(endpoint.resolve("/"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        stop();
        throw new IllegalStateException("S3Mock did not start within " + limit.toSeconds() + " s: " + log());
    }

    private String log() throws IOException {
        String text = Files.readString(root.resolve("s3mock.log"));
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        PostgresServer.deleteTree(root);
    }

    public int port() {
        return endpoint.getPort();
    }

    public S3Client client() {
        return client;
    }

    /** A bucket with Object Lock enabled (as a bucket must be created for locks), or without. */
    public void createBucket(String bucket, boolean objectLock) {
        client.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(objectLock));
    }

    /** The settings pg-backup needs to reach {@code endpoint} (this store, or a proxy in front of it). */
    public static Map<String, String> clientSettings(String endpoint) {
        return Map.of("OBJECT_STORAGE_ENDPOINT", endpoint, "OBJECT_STORAGE_ACCESS_KEY", ACCESS_KEY,
                "OBJECT_STORAGE_SECRET_KEY", SECRET_KEY, "OBJECT_STORAGE_REGION", "us-east-1");
    }

    /** Every key in the bucket, in key order (first 1000). */
    public List<String> keys(String bucket) {
        return client.listObjectsV2(b -> b.bucket(bucket)).contents().stream()
                .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
    }
}
