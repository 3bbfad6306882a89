package io.pgbackup.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * What S3Mock does not do, in front of it: an HTTP reverse proxy on 127.0.0.1 that records every request (method,
 * key, query, headers) and forwards it to S3Mock, except that, like a real store,
 * <ul>
 * <li>a DELETE of a key it holds {@link #lock locked} is refused with 403 AccessDenied (S3Mock keeps locks but does
 * not enforce them);</li>
 * <li>a GET of a key it holds {@link #archive archived} is refused with 403 InvalidObjectState (an object in an archive
 * storage class that was not restored from the archive);</li>
 * <li>a PUT of a key it {@link #refusePuts refuses} gets 403 AccessDenied (a write refused half-way through a
 * backup).</li>
 * </ul>
 * Requests are answered one at a time per connection, bodies whole (test objects are small).
 */
public final class LockingStoreStandIn implements AutoCloseable {

    /** One request as it arrived: method, object key (after the bucket; empty for the bucket), raw query, headers. */
    public record Request(String method, String key, String query, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** A write of a whole object: PutObject (not an UploadPart), or CreateMultipartUpload. */
        public boolean createsObject() {
            return "PUT".equals(method) && (query == null || !query.contains("uploadId="))
                    || "POST".equals(method) && query != null && query.startsWith("uploads");
        }
    }

    /** Headers the JDK's client sets itself (or refuses). */
    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "date", "via", "warning", "from", "referer", "keep-alive");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "locking-store-stand-in");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI target;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Predicate<String> locked = key -> false;
    private volatile Predicate<String> archived = key -> false;
    private volatile Predicate<String> refusedPuts = key -> false;

    public LockingStoreStandIn(int targetPort) throws IOException {
        target = URI.create("http://127.0.0.1:" + targetPort);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The keys a DELETE of is refused (403 AccessDenied): under a lock. */
    public LockingStoreStandIn lock(Predicate<String> keys) {
        this.locked = keys;
        return this;
    }

    /** The keys a GET of is refused (403 InvalidObjectState): in an archive class, not restored. */
    public LockingStoreStandIn archive(Predicate<String> keys) {
        this.archived = keys;
        return this;
    }

    /** The keys a PUT of is refused (403 AccessDenied). */
    public LockingStoreStandIn refusePuts(Predicate<String> keys) {
        this.refusedPuts = keys;
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            String key = keyOf(path);
            requests.add(new Request(method, key, query, Map.copyOf(headers)));
            boolean objectItself = query == null || query.isEmpty();
            if ("DELETE".equals(method) && objectItself && locked.test(key)) {
                refuse(exchange, "AccessDenied", "Access Denied because object protected by object lock.");
            } else if ("GET".equals(method) && objectItself && archived.test(key)) {
                refuse(exchange, "InvalidObjectState", "The operation is not valid for the object's storage class");
            } else if ("PUT".equals(method) && objectItself && refusedPuts.test(key)) {
                refuse(exchange, "AccessDenied", "Access Denied");
            } else {
                forward(exchange, method, path, query, body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange, String method, String path, String query, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)))
                .timeout(Duration.ofSeconds(60))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        answer.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] bytes = answer.body();
        if ("HEAD".equals(method)) {
            answer.headers().firstValue("content-length").ifPresent(n -> exchange.getResponseHeaders().set("Content-Length", n));
            exchange.sendResponseHeaders(answer.statusCode(), -1);
        } else if (bytes.length == 0) {
            exchange.sendResponseHeaders(answer.statusCode(), -1);
        } else {
            exchange.sendResponseHeaders(answer.statusCode(), bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    /** An S3 error answer: 403 with the XML error document the SDK reads its code from. */
    private static void refuse(HttpExchange exchange, String code, String message) throws IOException {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>stand-in</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.sendResponseHeaders(403, xml.length);
        exchange.getResponseBody().write(xml);
    }

    /** The object key of a path-style path: what follows /bucket/, decoded. */
    private static String keyOf(String rawPath) {
        int slash = rawPath.indexOf('/', 1);
        return slash < 0 ? "" : URLDecoder.decode(rawPath.substring(slash + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
