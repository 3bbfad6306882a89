package io.pgbackup.heartbeat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the heartbeat pings of a backup run (routes/heartbeat.yaml) to HEARTBEAT_URL, the way HEARTBEAT_STYLE says
 * ({@link HeartbeatUrl}). A ping is bounded: each try ends after HEARTBEAT_TIMEOUT_SECONDS, a try that got no answer
 * (or a 5xx, 429) is repeated HEARTBEAT_RETRIES times, 1 s, 2 s, 4 s ... apart. A ping that is not delivered is one
 * WARN line and nothing more: it never fails the backup. No log line holds more of the URL than its scheme and host
 * (the path is the check's secret), nor an exception's text (which may quote the URL).
 */
public class HeartbeatPing {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup");

    private String url = "";
    private String style = "healthchecks";
    private int timeoutSeconds = 10;
    private int retries = 2;
    private volatile HeartbeatUrl pings;
    private volatile HttpClient client;

    /** Whether HEARTBEAT_URL is set. */
    public boolean enabled() {
        return !url.isBlank();
    }

    /** The run begins (healthchecks: URL/start; Uptime Kuma has no start ping). */
    public void start() {
        pings().start().ifPresent(this::send);
    }

    /** The run stored every database. */
    public void success() {
        send(pings().success());
    }

    /** The run failed (any database, or the run itself): the reason names stages and kinds, no failure text. */
    public void fail(Exchange exchange) {
        send(pings().fail(HeartbeatReason.of(exchange)));
    }

    private HeartbeatUrl pings() {
        HeartbeatUrl made = pings;
        if (made == null) {
            made = HeartbeatUrl.parse(url, HeartbeatUrl.Style.of(style));
            pings = made;
        }
        return made;
    }

    /** One ping, with its tries; returns once it was delivered or given up (never throws). */
    void send(HeartbeatUrl.Ping ping) {
        String where = pings().shown();
        for (int attempt = 1; ; attempt++) {
            Attempt result = attempt(ping);
            if (result.delivered()) {
                LOG.info("heartbeat: {} sent to {}", ping, where);
                return;
            }
            if (!result.worthRetrying() || attempt > retries) {
                LOG.warn("heartbeat: {} to {} not delivered after {} tr{} ({}); the backup's outcome stands", ping, where,
                        attempt, attempt == 1 ? "y" : "ies", result.problem());
                return;
            }
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(1L << Math.min(attempt - 1, 4)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("heartbeat: {} to {} given up: interrupted", ping, where);
                return;
            }
        }
    }

    private record Attempt(boolean delivered, boolean worthRetrying, String problem) {
    }

    private Attempt attempt(HeartbeatUrl.Ping ping) {
        HttpRequest.Builder request = HttpRequest.newBuilder(ping.uri()).timeout(Duration.ofSeconds(timeoutSeconds))
                .header("User-Agent", "pg-backup");
        if (ping.body() == null) {
            request.method(ping.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "text/plain; charset=utf-8")
                    .method(ping.method(), HttpRequest.BodyPublishers.ofString(ping.body()));
        }
        CompletableFuture<HttpResponse<Void>> answer = client().sendAsync(request.build(),
                HttpResponse.BodyHandlers.discarding());
        try {
            // the whole try, the answer's body included, within the timeout
            int status = answer.get(timeoutSeconds, TimeUnit.SECONDS).statusCode();
            return status / 100 == 2 ? new Attempt(true, false, "")
                    : new Attempt(false, status >= 500 || status == 429, "HTTP " + status);
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Attempt(false, true, "no answer within " + timeoutSeconds + " s");
        } catch (ExecutionException e) {
            return new Attempt(false, true, problem(e.getCause()));
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            return new Attempt(false, false, "interrupted");
        }
    }

    /** What went wrong, in words that never quote the exception's message (it may hold the URL). */
    private String problem(Throwable failure) {
        if (failure instanceof HttpConnectTimeoutException) {
            return "could not connect within " + timeoutSeconds + " s";
        }
        if (failure instanceof HttpTimeoutException) {
            return "no answer within " + timeoutSeconds + " s";
        }
        if (failure instanceof ConnectException) {
            return "could not connect";
        }
        if (failure instanceof UnknownHostException) {
            return "unknown host";
        }
        if (failure instanceof IOException) {
            return "I/O error: " + failure.getClass().getSimpleName();
        }
        return failure == null ? "unknown error" : failure.getClass().getSimpleName();
    }

    private HttpClient client() {
        HttpClient made = client;
        if (made == null) {
            made = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds))
                    .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NORMAL).build();
            client = made;
        }
        return made;
    }

    public void setUrl(String url) {
        this.url = url == null ? "" : url.strip();
    }

    public void setStyle(String style) {
        this.style = style;
    }

    public void setTimeoutSeconds(int timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    public void setRetries(int retries) {
        this.retries = retries;
    }

    @Override
    public String toString() {
        return "HeartbeatPing[" + (enabled() ? style : "off") + "]"; // never the URL
    }
}
