package io.pgbackup.ncp;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Signs an NCP API Gateway call with signature v2.
 * <p>
 * The URL to call is read from the exchange property {@value #URL_PROPERTY} and the method from the
 * {@code CamelHttpMethod} header (default GET). The processor sets the three headers the gateway checks:
 * {@code x-ncp-apigw-timestamp}, {@code x-ncp-iam-access-key} and {@code x-ncp-apigw-signature-v2}, where the
 * signature is Base64(HMAC-SHA256(secretKey, "METHOD PATH?QUERY\nTIMESTAMP\nACCESSKEY")).
 */
public class NcpApiGatewaySigner implements Processor {

    public static final String URL_PROPERTY = "ncpApiUrl";
    public static final String TIMESTAMP_HEADER = "x-ncp-apigw-timestamp";
    public static final String ACCESS_KEY_HEADER = "x-ncp-iam-access-key";
    public static final String SIGNATURE_HEADER = "x-ncp-apigw-signature-v2";

    private String accessKey = "";
    private String secretKey = "";
    private Clock clock = Clock.systemUTC();

    @Override
    public void process(Exchange exchange) {
        if (accessKey.isBlank() || secretKey.isBlank()) {
            throw new IllegalStateException(
                    "ACCESS_KEY and SECRET_KEY must be set to call the NCP API (or set DB_PASSWORD to skip Secret Manager)");
        }
        String url = exchange.getProperty(URL_PROPERTY, String.class);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("exchange property " + URL_PROPERTY + " (the NCP API URL to sign) is not set");
        }
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        String timestamp = Long.toString(clock.millis());
        exchange.getMessage().setHeader(TIMESTAMP_HEADER, timestamp);
        exchange.getMessage().setHeader(ACCESS_KEY_HEADER, accessKey);
        exchange.getMessage().setHeader(SIGNATURE_HEADER, sign(method, pathWithQuery(url), timestamp, accessKey, secretKey));
    }

    /** The part of a URL the gateway signs: path and query, no scheme, no host. */
    public static String pathWithQuery(String url) {
        URI uri = URI.create(url);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /** Base64(HMAC-SHA256(secretKey, method + " " + pathWithQuery + "\n" + timestamp + "\n" + accessKey)). */
    public static String sign(String method, String pathWithQuery, String timestamp, String accessKey, String secretKey) {
        String message = method + " " + pathWithQuery + "\n" + timestamp + "\n" + accessKey;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    public void setAccessKey(String accessKey) {
        this.accessKey = accessKey == null ? "" : accessKey.trim();
    }

    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey == null ? "" : secretKey.trim();
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String toString() {
        return "NcpApiGatewaySigner[accessKey=" + accessKey + "]";
    }
}
