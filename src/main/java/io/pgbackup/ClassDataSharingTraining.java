package io.pgbackup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The training run behind the class-data-sharing archive that {@code mvn package} makes beside the jar
 * (target/pg-backup.jsa, used by bin/pg-backup: every command starts about a second sooner). It runs {@code list} the
 * way a user does, against a stand-in store on loopback that answers an empty bucket, so that Camel, the routes, the
 * AWS SDK and its XML handling are all loaded and the JVM writes them to the archive when it exits. Not for users.
 */
public final class ClassDataSharingTraining {

    private ClassDataSharingTraining() {
    }

    public static void main(String[] args) throws IOException {
        PgBackup.plainRequests();
        HttpServer store = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        store.createContext("/", ClassDataSharingTraining::answer);
        store.start();
        Map<String, String> settings = Map.of(
                "bucket.name", "cds-training",
                "object.storage.endpoint", "http://127.0.0.1:" + store.getAddress().getPort(),
                "object.storage.access.key", "training",
                "object.storage.secretKey", "training",
                "retry.max", "0");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        int code;
        try {
            code = new PgBackup(Map.of(), quiet, System.err, settings).run(new String[] {"list"});
        } finally {
            store.stop(0);
        }
        System.exit(code);
    }

    /** HEAD bucket: 200; ListObjects: an empty listing. */
    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = "HEAD".equals(exchange.getRequestMethod()) ? new byte[0] : """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cds-training</Name>\
                    <Prefix></Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>\
                    </ListBucketResult>""".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }
}
