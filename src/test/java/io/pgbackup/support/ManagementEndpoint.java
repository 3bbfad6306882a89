package io.pgbackup.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A running service's management server on 127.0.0.1 and its MANAGEMENT_PORT (/observe/health, /observe/metrics), read
 * once or by polling with a deadline.
 */
public final class ManagementEndpoint {

    /** One answer of the endpoint. */
    public record Reply(int status, String body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;

    public ManagementEndpoint(int port) {
        this.port = port;
    }

    public Reply get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    /** Polls {@code path} until a reply is {@code wanted}; at the deadline throws with the last reply and the service's log. */
    public Reply await(PgBackupProcess.Running service, String path, Predicate<Reply> wanted, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Object last = "nothing";
        while (System.nanoTime() < deadline) {
            try {
                Reply reply = get(path);
                if (wanted.test(reply)) {
                    return reply;
                }
                last = reply;
            } catch (IOException e) {
                last = e; // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no wanted reply from " + path + " within " + limit.toSeconds() + " s; last: "
                + last + "\n--- service stderr ---\n" + service.peekStderr());
    }
}
