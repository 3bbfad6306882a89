package io.pgbackup.ncp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NcpApiGatewaySignerTest {

    private static final String PATH = "/api/v1/secrets/sec-123/values";
    private static final String TIMESTAMP = "1732700000000";

    /** The worked vector of shared/notes/ncp-api.md, checked against openssl as the seed script computes it. */
    @Test
    void signatureEqualsOpensslOnTheWorkedVector() throws Exception {
        String message = "GET " + PATH + "\n" + TIMESTAMP + "\nAKEXAMPLE";
        String openssl = openssl(message, "SKEXAMPLE");

        assertThat(NcpApiGatewaySigner.sign("GET", PATH, TIMESTAMP, "AKEXAMPLE", "SKEXAMPLE"))
                .isEqualTo(openssl)
                .isEqualTo("8rKgAlnQB6ymELDUSFABODnIWDj8Ah0COVqwff+VXkw=");
    }

    @Test
    void processorSignsPathAndQueryWithoutHost() throws Exception {
        NcpApiGatewaySigner signer = new NcpApiGatewaySigner();
        signer.setAccessKey("AKEXAMPLE");
        signer.setSecretKey("SKEXAMPLE");
        signer.setClock(Clock.fixed(Instant.ofEpochMilli(1732700000000L), ZoneOffset.UTC));
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(NcpApiGatewaySigner.URL_PROPERTY, "https://secretmanager.apigw.ntruss.com" + PATH + "?a=1&b=x%20y");

        signer.process(exchange);

        String expected = openssl("GET " + PATH + "?a=1&b=x%20y\n" + TIMESTAMP + "\nAKEXAMPLE", "SKEXAMPLE");
        assertThat(exchange.getMessage().getHeader(NcpApiGatewaySigner.TIMESTAMP_HEADER)).isEqualTo(TIMESTAMP);
        assertThat(exchange.getMessage().getHeader(NcpApiGatewaySigner.ACCESS_KEY_HEADER)).isEqualTo("AKEXAMPLE");
        assertThat(exchange.getMessage().getHeader(NcpApiGatewaySigner.SIGNATURE_HEADER)).isEqualTo(expected);
    }

    @Test
    void refusesToSignWithoutKeysAndNeverPrintsTheSecretKey() {
        NcpApiGatewaySigner signer = new NcpApiGatewaySigner();
        signer.setAccessKey("AKEXAMPLE");
        signer.setSecretKey("");
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(NcpApiGatewaySigner.URL_PROPERTY, "https://example.invalid" + PATH);

        assertThatThrownBy(() -> signer.process(exchange)).hasMessageContaining("SECRET_KEY");
        signer.setSecretKey("SKEXAMPLE");
        assertThat(signer.toString()).doesNotContain("SKEXAMPLE");
    }

    private static String openssl(String message, String key) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", "-c",
                "openssl dgst -sha256 -hmac \"$KEY\" -binary | base64")).redirectErrorStream(true);
        builder.environment().put("KEY", key);
        Process process = builder.start();
        process.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
