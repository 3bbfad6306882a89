package io.pgbackup.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for a Slack incoming webhook that holds callers to its contract: POST, a JSON content type, and a JSON
 * object body with a non-empty string "text" (else 400, as Slack answers "invalid_payload"). It records the text of
 * each accepted message; {@link #failWith(int)} makes it answer an error, as a webhook that is down.
 */
public final class WebhookStandIn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    private volatile int failWith;

    public WebhookStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/services/T000/B000/XXXX", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/services/T000/B000/XXXX";
    }

    public List<String> texts() {
        return texts;
    }

    public List<String> rejected() {
        return rejected;
    }

    public void failWith(int status) {
        this.failWith = status;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (failWith != 0) {
                HttpReplies.send(exchange, failWith, "text/plain", "unavailable");
                return;
            }
            String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
            if (!"POST".equals(exchange.getRequestMethod()) || !contentType.startsWith("application/json")) {
                rejected.add(exchange.getRequestMethod() + " " + contentType);
                HttpReplies.send(exchange, 400, "text/plain", "invalid_payload");
                return;
            }
            JsonNode json;
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                rejected.add("not json");
                HttpReplies.send(exchange, 400, "text/plain", "invalid_payload");
                return;
            }
            if (json == null || !json.path("text").isTextual() || json.path("text").asText().isBlank()) {
                rejected.add("no text");
                HttpReplies.send(exchange, 400, "text/plain", "invalid_payload");
                return;
            }
            texts.add(json.path("text").asText());
            HttpReplies.send(exchange, 200, "text/plain", "ok");
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
