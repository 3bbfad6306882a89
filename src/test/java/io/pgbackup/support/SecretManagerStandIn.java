package io.pgbackup.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.pgbackup.ncp.NcpApiGatewaySigner;

/**
 * A stand-in for NCP Secret Manager's "get secret value" API that enforces the API Gateway contract: the three
 * x-ncp headers must be present, the access key known, the timestamp within 5 minutes of this clock, and the
 * signature v2 correct for the method and path it received. It answers with the documented JSON shape, where
 * {@code active} is a JSON document inside a string. Each request's verdict is recorded.
 * <p>
 * Like the real API it serves the whole chain of stages: {@code active}, and {@code pending} and {@code previous} when
 * the secret has them (each a JSON document inside a string, with the same keys). By default there is a previous value
 * ({@value #OLD_PASSWORD}) and no pending one, as after a finished rotation; {@link #stages} lets a test rotate.
 */
public final class SecretManagerStandIn implements AutoCloseable {

    public static final String ACCESS_KEY = "ncp-access-key-test";
    public static final String SECRET_KEY = "ncp-secret-key-test";
    /** The previous value served unless a test sets the stages. */
    public static final String OLD_PASSWORD = "old-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String secretId;
    private final String passwordKey;
    private volatile String password;
    /** The password of the pending and previous stages; null: the secret has no such stage. */
    private volatile String pending;
    private volatile String previous = OLD_PASSWORD;
    private final List<String> verdicts = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.NORMAL;
    /** More keys of the active value (e.g. an armored private key and its passphrase), beside the password. */
    private final java.util.Map<String, String> extra = new java.util.concurrent.ConcurrentHashMap<>();

    /** How the stand-in answers a correctly signed request. */
    public enum Mode { NORMAL, SERVER_ERROR, CODE_NOT_SUCCESS, MALFORMED_JSON, WITHOUT_PASSWORD_KEY, SLOW }

    public SecretManagerStandIn(String secretId, String passwordKey, String password) throws IOException {
        this.secretId = secretId;
        this.passwordKey = passwordKey;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "secret-manager-stand-in");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<String> verdicts() {
        return verdicts;
    }

    /** Adds a key to the active value the stand-in serves. */
    public SecretManagerStandIn with(String key, String value) {
        extra.put(key, value);
        return this;
    }

    /**
     * The password of each stage from now on, as a rotation leaves them (null: the secret has no such stage): e.g.
     * a rotation under way has a pending value the database may already have, one not finished a previous value it
     * may still have.
     */
    public SecretManagerStandIn stages(String active, String pending, String previous) {
        this.password = active;
        this.pending = pending;
        this.previous = previous;
        return this;
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String verdict = ApiGatewayCheck.verdict(exchange, ACCESS_KEY, SECRET_KEY);
            if (verdict != null) {
                reject(exchange, 401, verdict);
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                reject(exchange, 405, "method-not-allowed");
                return;
            }
            if (!exchange.getRequestURI().getRawPath().equals("/api/v1/secrets/" + secretId + "/values")) {
                reject(exchange, 404, "no-such-secret");
                return;
            }
            switch (mode) {
                case SERVER_ERROR -> {
                    reject(exchange, 503, "server-error");
                    return;
                }
                case CODE_NOT_SUCCESS -> {
                    verdicts.add("code-fail");
                    HttpReplies.json(exchange, 200, "{\"code\":\"SECRET_NOT_FOUND\",\"message\":\"no value\"}");
                    return;
                }
                case MALFORMED_JSON -> {
                    verdicts.add("malformed");
                    HttpReplies.json(exchange, 200, "{\"code\":\"SUCCESS\",\"data\":{\"decryptedSecretChain\":{\"active\":\""
                            + password);
                    return;
                }
                case SLOW -> {
                    verdicts.add("slow");
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> {
                }
            }
            String key = mode == Mode.WITHOUT_PASSWORD_KEY ? "otherKey" : passwordKey;
            ObjectNode active = JSON.createObjectNode().put(key, password);
            extra.forEach(active::put);
            ObjectNode body = JSON.createObjectNode().put("code", "SUCCESS");
            ObjectNode data = body.putObject("data");
            data.put("secretId", secretId);
            ObjectNode chain = data.putObject("decryptedSecretChain");
            chain.put("active", JSON.writeValueAsString(active));
            if (pending != null) {
                chain.put("pending", JSON.writeValueAsString(stageValue(pending)));
            }
            if (previous != null) {
                chain.put("previous", JSON.writeValueAsString(stageValue(previous)));
            }
            if (mode != Mode.SLOW) {
                verdicts.add(mode == Mode.NORMAL ? "ok" : "no-key");
            }
            HttpReplies.json(exchange, 200, JSON.writeValueAsString(body));
        }
    }

    /** Another stage's value: the same keys as the active one, with that stage's password. */
    private ObjectNode stageValue(String stagePassword) {
        ObjectNode value = JSON.createObjectNode().put(passwordKey, stagePassword);
        extra.forEach(value::put);
        return value;
    }

    private void reject(HttpExchange exchange, int status, String verdict) throws IOException {
        verdicts.add(verdict);
        HttpReplies.json(exchange, status, "{\"error\":{\"errorCode\":\"" + status + "\",\"message\":\"" + verdict + "\"}}");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
