package io.pgbackup.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for NCP Cloud DB for PostgreSQL's getCloudPostgresqlBackupDetailList: API Gateway signature v2 is
 * enforced (see {@link ApiGatewayCheck}), GET only, the documented JSON shape is served with pageNo (from 0) and
 * pageSize (1..1000) paging and totalRows; missing or bad paging parameters or regionCode are a 400 as NCP answers,
 * and an unknown instance or {@link #failWith} gives an error answer.
 */
public final class CloudDbStandIn implements AutoCloseable {

    public static final String ACCESS_KEY = SecretManagerStandIn.ACCESS_KEY;
    public static final String SECRET_KEY = SecretManagerStandIn.SECRET_KEY;
    private static final DateTimeFormatter NCP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String instanceNo;
    private final List<OffsetDateTime> backupEnds = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile int failWith;

    public CloudDbStandIn(String instanceNo) throws IOException {
        this.instanceNo = instanceNo;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/vpostgresql/v2/getCloudPostgresqlBackupDetailList", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The managed backups the instance has: one per end time. */
    public void backups(List<OffsetDateTime> ends) {
        backupEnds.clear();
        backupEnds.addAll(ends);
    }

    public void failWith(int status) {
        this.failWith = status;
    }

    /** Each request's verdict ("page N" or why it was rejected). */
    public List<String> requests() {
        return requests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String verdict = ApiGatewayCheck.verdict(exchange, ACCESS_KEY, SECRET_KEY);
            if (verdict != null) {
                requests.add(verdict);
                HttpReplies.json(exchange, 401, "{\"error\":{\"errorCode\":\"200\",\"message\":\"" + verdict + "\"}}");
                return;
            }
            if (failWith != 0) {
                requests.add("error " + failWith);
                HttpReplies.json(exchange, failWith, "{\"error\":{\"errorCode\":\"" + failWith + "\",\"message\":\"Internal error\"}}");
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                requests.add("method-not-allowed");
                HttpReplies.json(exchange, 405, "{\"responseError\":{\"returnCode\":\"405\",\"returnMessage\":\"method\"}}");
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            // as NCP: pageNo (from 0), pageSize (1..1000) and regionCode are required, and must be numbers in range
            int pageNo = number(query.get("pageNo"), 0, Integer.MAX_VALUE);
            int pageSize = number(query.get("pageSize"), 1, 1000);
            if (!instanceNo.equals(query.get("cloudPostgresqlInstanceNo")) || pageNo < 0 || pageSize < 0
                    || query.getOrDefault("regionCode", "").isEmpty() || !"json".equals(query.get("responseFormatType"))) {
                requests.add("bad-request");
                HttpReplies.json(exchange, 400, "{\"responseError\":{\"returnCode\":\"1300\",\"returnMessage\":\"invalid parameter\"}}");
                return;
            }
            requests.add("page " + pageNo);
            List<OffsetDateTime> all = new ArrayList<>(backupEnds);
            ObjectNode root = JSON.createObjectNode();
            ObjectNode response = root.putObject("getCloudPostgresqlBackupDetailListResponse");
            response.put("requestId", "req-" + requests.size());
            response.put("returnCode", "0");
            response.put("returnMessage", "success");
            response.put("totalRows", all.size());
            ArrayNode list = response.putArray("cloudPostgresqlBackupDetailList");
            for (int i = pageNo * pageSize; i < Math.min(all.size(), (pageNo + 1) * pageSize); i++) {
                OffsetDateTime end = all.get(i);
                ObjectNode backup = list.addObject();
                backup.put("fileName", "pg-" + instanceNo + "-" + i + ".tar.gz");
                backup.put("startTime", NCP_TIME.format(end.minusMinutes(7)));
                backup.put("endTime", NCP_TIME.format(end));
                backup.put("backupSize", 1048576L * (i + 1));
                backup.put("dataStorageSize", 10485760L);
                backup.put("archivedWalFileSize", 0L);
            }
            HttpReplies.json(exchange, 200, JSON.writeValueAsString(root));
        }
    }

    /** The parameter as a number within [min, max], or -1 when it is missing or not one. */
    private static int number(String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            return n < min || n > max ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> map = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                map.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return map;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
