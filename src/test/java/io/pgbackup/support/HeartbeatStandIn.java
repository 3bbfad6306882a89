package io.pgbackup.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the two heartbeat services, holding callers to their contracts, recording accepted pings in order.
 * <ul>
 * <li>healthchecks.io: {@code /ping/UUID}, {@code /ping/UUID/start}, {@code /ping/UUID/fail} by GET, HEAD or POST
 * (a POST body, at most 100 kB, is the event's log text); any other path is 404 "not found", as for an unknown
 * check;</li>
 * <li>Uptime Kuma push monitor: GET {@code /api/push/TOKEN} with {@code status} up or down (Kuma takes anything else
 * for down) and {@code msg}, each at most once; an unknown token is 404 {"ok":false}.</li>
 * </ul>
 * {@link #delayMillis} makes it answer late, as a service that hangs.
 */
public final class HeartbeatStandIn implements AutoCloseable {

    /** The check's secret: a URL holding it is a secret. */
    public static final String CHECK_UUID = "0e5c7d2a-hb17-4c5e-9f00-5ecre7c4eck0";
    public static final String PUSH_TOKEN = "kumaPushS3cretT0ken";

    /** One accepted ping: method, path, the decoded query parameters in order, body. */
    public record Ping(String method, String path, List<String> query, String body) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Ping> pings = new CopyOnWriteArrayList<>();
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    private volatile long delayMillis;
    private final AtomicInteger attempts = new AtomicInteger();

    public HeartbeatStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** The healthchecks check URL. */
    public String healthchecksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/ping/" + CHECK_UUID;
    }

    /** The push URL as Kuma's page shows it (with its own query). */
    public String kumaUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/push/" + PUSH_TOKEN + "?status=up&msg=OK&ping=";
    }

    public List<Ping> pings() {
        return pings;
    }

    public List<String> rejected() {
        return rejected;
    }

    /** Requests received, accepted or not, answered or not. */
    public int attempts() {
        return attempts.get();
    }

    public void delayMillis(long millis) {
        this.delayMillis = millis;
    }

    public void clear() {
        pings.clear();
        rejected.clear();
        attempts.set(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            attempts.incrementAndGet();
            byte[] body = exchange.getRequestBody().readNBytes(100_001);
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            List<String> query = query(exchange.getRequestURI().getRawQuery());
            String text = new String(body, StandardCharsets.UTF_8);
            if (path.startsWith("/api/push/")) {
                kuma(exchange, method, path, query, text);
            } else {
                healthchecks(exchange, method, path, query, text, body.length);
            }
        }
    }

    private void healthchecks(HttpExchange exchange, String method, String path, List<String> query, String text,
            int length) throws IOException {
        String check = "/ping/" + CHECK_UUID;
        boolean known = path.equals(check) || path.equals(check + "/start") || path.equals(check + "/fail");
        if (!known || !List.of("GET", "HEAD", "POST").contains(method) || length > 100_000) {
            rejected.add(method + " " + path);
            HttpReplies.send(exchange, known ? 405 : 404, "text/plain", "not found");
            return;
        }
        pings.add(new Ping(method, path, query, text));
        HttpReplies.send(exchange, 200, "text/plain", "OK");
    }

    private void kuma(HttpExchange exchange, String method, String path, List<String> query, String text)
            throws IOException {
        List<String> status = query.stream().filter(p -> p.startsWith("status=")).toList();
        List<String> msg = query.stream().filter(p -> p.startsWith("msg=")).toList();
        if (!path.equals("/api/push/" + PUSH_TOKEN) || !"GET".equals(method)) {
            rejected.add(method + " " + path);
            HttpReplies.json(exchange, 404, "{\"ok\":false,\"msg\":\"Monitor not found or not active.\"}");
            return;
        }
        if (status.size() != 1 || msg.size() > 1 || !List.of("status=up", "status=down").contains(status.get(0))) {
            rejected.add("query " + query);
            HttpReplies.json(exchange, 400, "{\"ok\":false,\"msg\":\"status and msg once each, status up or down\"}");
            return;
        }
        pings.add(new Ping(method, path, query, text));
        HttpReplies.json(exchange, 200, "{\"ok\":true}");
    }

    private static List<String> query(String raw) {
        List<String> parameters = new ArrayList<>();
        if (raw != null) {
            for (String part : raw.split("&")) {
                parameters.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        return parameters;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
