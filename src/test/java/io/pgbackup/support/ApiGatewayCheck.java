package io.pgbackup.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;

import io.pgbackup.ncp.NcpApiGatewaySigner;

/**
 * The NCP API Gateway's checks, for the stand-ins: the three x-ncp headers present, the access key known, the
 * timestamp within 5 minutes of this clock, and signature v2 right for the method, path and query received.
 * The expected signature is computed here with the JDK's own HMAC, on purpose not with the code under test.
 */
final class ApiGatewayCheck {

    private static final long MAX_SKEW_MILLIS = 5 * 60 * 1000;

    private ApiGatewayCheck() {
    }

    /** Null when the request passes, else why it is rejected. */
    static String verdict(HttpExchange exchange, String knownAccessKey, String secretKey) {
        String timestamp = exchange.getRequestHeaders().getFirst(NcpApiGatewaySigner.TIMESTAMP_HEADER);
        String accessKey = exchange.getRequestHeaders().getFirst(NcpApiGatewaySigner.ACCESS_KEY_HEADER);
        String signature = exchange.getRequestHeaders().getFirst(NcpApiGatewaySigner.SIGNATURE_HEADER);
        if (timestamp == null || accessKey == null || signature == null) {
            return "missing-headers";
        }
        if (!knownAccessKey.equals(accessKey)) {
            return "unknown-access-key";
        }
        try {
            if (Math.abs(System.currentTimeMillis() - Long.parseLong(timestamp)) > MAX_SKEW_MILLIS) {
                return "timestamp-skew";
            }
        } catch (NumberFormatException e) {
            return "bad-timestamp";
        }
        String uri = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        String message = exchange.getRequestMethod() + " " + uri + "\n" + timestamp + "\n" + accessKey;
        return expected(message, secretKey).equals(signature) ? null : "bad-signature";
    }

    private static String expected(String message, String secretKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
