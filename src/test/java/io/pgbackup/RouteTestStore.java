package io.pgbackup;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.pgbackup.support.S3Server;

/**
 * A real S3 API server (S3Proxy, in memory) in this JVM for the route tests that read the store (list, retention):
 * one for every route test of this JVM, stopped with it; each test class writes under a prefix of its own.
 */
final class RouteTestStore {

    static final String BUCKET = "route-tests";
    static final S3Server STORE = start();

    private RouteTestStore() {
    }

    /** The settings of an app reading and writing backups under {@code prefix} of this store. */
    static Map<String, String> settings(String prefix) {
        PgBackup.plainRequests();
        return Map.of("object.storage.endpoint", STORE.endpoint(), "object.storage.region", S3Server.REGION,
                "object.storage.access.key", S3Server.ACCESS_KEY, "object.storage.secretKey", S3Server.SECRET_KEY,
                "bucket.name", BUCKET, "backup.prefix", prefix);
    }

    static void put(String key, String content) {
        STORE.put(BUCKET, key, content.getBytes(StandardCharsets.UTF_8));
    }

    private static S3Server start() {
        try {
            S3Server store = new S3Server();
            store.createBucket(BUCKET);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    store.close();
                } catch (Exception e) {
                    // the JVM is ending
                }
            }));
            return store;
        } catch (Exception e) {
            throw new IllegalStateException("the route tests' S3 server did not start", e);
        }
    }
}
