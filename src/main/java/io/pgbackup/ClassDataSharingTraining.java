package io.pgbackup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import io.pgbackup.manifest.BackupManifest;

/**
 * The training run behind the class-data-sharing archive that {@code mvn package} makes beside the jar
 * (target/pg-backup.jsa, used by bin/pg-backup: every command starts about a second sooner). It runs {@code list} the
 * way a user does, then once more with every route made (what backup, restore and verify make at start), against a
 * stand-in store on loopback that speaks HTTPS (as NCP Object Storage does) and holds one backup with its manifest, so
 * that Camel, the routes, the AWS SDK with its XML handling, TLS, the object download and the manifest's JSON are all
 * loaded and the JVM writes them to the archive when it exits. The stand-in's certificate
 * is made for the run by the JDK's keytool, in a temporary folder removed afterwards. Not for users.
 */
public final class ClassDataSharingTraining {

    private static final String BUCKET = "cds-training";
    private static final String BACKUP = "2026/01/01/training_20260101020000.sql.gz";
    private static final char[] PASSWORD = "training".toCharArray();

    private ClassDataSharingTraining() {
    }

    public static void main(String[] args) throws Exception {
        PgBackup.plainRequests();
        Path folder = Files.createTempDirectory("pg-backup-cds-training");
        int code;
        try {
            Path keys = folder.resolve("store.p12");
            Path trusted = folder.resolve("trusted.p12");
            keytool("-genkeypair", "-alias", "store", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                    "-keystore", keys.toString(), "-storepass", new String(PASSWORD));
            Path certificate = folder.resolve("store.crt");
            keytool("-exportcert", "-alias", "store", "-keystore", keys.toString(), "-storepass", new String(PASSWORD),
                    "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "store", "-file", certificate.toString(), "-storetype",
                    "PKCS12", "-keystore", trusted.toString(), "-storepass", new String(PASSWORD));
            System.setProperty("javax.net.ssl.trustStore", trusted.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", new String(PASSWORD));
            System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
            code = list(keys);
        } finally {
            try (var files = Files.walk(folder)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        System.exit(code);
    }

    private static int list(Path keys) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", ClassDataSharingTraining::answer);
        server.start();
        Map<String, String> settings = Map.of(
                "bucket.name", BUCKET,
                "object.storage.endpoint", "https://127.0.0.1:" + server.getAddress().getPort(),
                "object.storage.access.key", "training",
                "object.storage.secretKey", "training",
                "retry.max", "0");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        try {
            // list as a user runs it (its own routes), then with every route made, so that what backup, restore and
            // verify make at start (their routes, the process and HTTP endpoints) is in the cache too
            int code = new PgBackup(Map.of(), quiet, System.err, settings).run(new String[] {"list"});
            return code != 0 ? code : new PgBackup(Map.of(), quiet, System.err, settings).everyRoute()
                    .run(new String[] {"list"});
        } finally {
            server.stop(0);
        }
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            keytool.destroyForcibly();
            throw new IOException("keytool " + arguments[0] + " failed");
        }
    }

    /** HEAD bucket: 200; ListObjects: the backup and its manifest; GET of the manifest: its JSON. */
    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            if ("HEAD".equals(exchange.getRequestMethod())) {
                body = new byte[0];
            } else if (path.endsWith(BackupManifest.SUFFIX)) {
                BackupManifest manifest = new BackupManifest();
                manifest.database = "training";
                manifest.key = BACKUP;
                manifest.createdAt = "2026-01-01T02:00:00Z";
                manifest.dumpFormat = "plain";
                manifest.compression = "gzip";
                manifest.objectBytes = 20;
                manifest.objectSha256 = "0".repeat(64);
                manifest.parts = 1;
                manifest.rawBytes = 0;
                manifest.tables.put("public.training", 0L);
                body = manifest.toJson().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
            } else {
                body = ("""
                        <?xml version="1.0" encoding="UTF-8"?>
                        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>%s</Name>\
                        <Prefix></Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>\
                        %s%s</ListBucketResult>""").formatted(BUCKET, listed(BACKUP, 20),
                        listed(BackupManifest.keyOf(BACKUP), 300)).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
            }
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    private static String listed(String key, long size) {
        return "<Contents><Key>" + key + "</Key><LastModified>2026-01-01T02:00:01.000Z</LastModified>"
                + "<ETag>&quot;00000000000000000000000000000000&quot;</ETag><Size>" + size
                + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
    }
}
