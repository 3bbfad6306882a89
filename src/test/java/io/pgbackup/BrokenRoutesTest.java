package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route file a user edited into invalid YAML is bad input like a bad setting: one line naming the file and the line,
 * exit 2, before anything runs (EditedRoutesIT shows the same through the launcher).
 */
@Timeout(120)
class BrokenRoutesTest {

    @TempDir
    Path routes;

    @Test
    void aRouteFileThatIsNotYamlExits2WithOneLineNamingTheFile() throws IOException {
        copyRoutesWithBrokenList();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> settings = Map.of("db.password", "x-password", "db.name", "shop", "bucket.name",
                "broken-routes", "object.storage.endpoint", "http://127.0.0.1:9", "backup.schedule.enabled", "false");

        int code = PgBackup.run(new String[] {"list"}, Map.of("ROUTES_DIR", routes.toString()), settings,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(PgBackup.USAGE);
        assertThat(text.lines().filter(l -> !l.isBlank())).singleElement().asString()
                .startsWith("pg-backup: ").contains("list.yaml").contains("line 2");
    }

    /**
     * A one-shot command makes the store's client on a second thread while Camel reads the route files
     * (OneShotStart). When a route file then stops the start, that client is closed before the command returns: its
     * connection to the store is closed, not left open in a pool nobody will use. The store here is a loopback
     * stand-in that answers every request with 200 and tells when the client closes the connection.
     */
    @Test
    void aStartStoppedByABrokenRouteFileClosesTheStoreConnectionItOpened() throws Exception {
        copyRoutesWithBrokenList();
        try (ServerSocket store = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            store.setSoTimeout(60_000);
            CompletableFuture<String> closed = CompletableFuture.supplyAsync(() -> answerUntilClosed(store));
            Map<String, String> settings = Map.of("db.password", "x-password", "db.name", "shop", "bucket.name",
                    "broken-routes", "object.storage.endpoint", "http://127.0.0.1:" + store.getLocalPort(),
                    "object.storage.access.key", "AKBROKENROUTES", "object.storage.secretKey", "sk-broken-routes",
                    "backup.schedule.enabled", "false");
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int code = PgBackup.run(new String[] {"list"}, Map.of("ROUTES_DIR", routes.toString()), settings,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(PgBackup.USAGE);
            String requests;
            try {
                requests = closed.get(20, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the store's connection is still open 20 s after the command returned");
            }
            assertThat(requests).as("what the client sent before it closed the connection").contains("/broken-routes");
        }
    }

    private void copyRoutesWithBrokenList() throws IOException {
        try (Stream<Path> files = Files.list(PgBackupPaths.ROUTES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Files.writeString(routes.resolve("list.yaml"), "- route:\n    id: [broken\n");
    }

    /**
     * Takes one connection and answers each request on it with an empty 200; returns the requests' first lines when
     * the client closes the connection (the read ends), fails when that takes longer than the socket's timeout.
     */
    private static String answerUntilClosed(ServerSocket store) {
        try (Socket client = store.accept()) {
            client.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = client.getOutputStream();
            StringBuilder requests = new StringBuilder();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                requests.append(line).append('\n');
                long length = 0;
                for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
                    if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(header.substring(15).strip());
                    }
                }
                in.skip(length);
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            return requests.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's routes folder. */
    static final class PgBackupPaths {
        static final Path ROUTES = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("routes");
    }
}
