package io.pgbackup.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.pgbackup.ncp.NcpApiGatewaySigner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stand-in must hold the signer to the gateway's contract, or the end-to-end tests prove nothing. */
@Timeout(60)
class SecretManagerStandInTest {

    private static final String PATH = "/api/v1/secrets/sec-9/values";

    private SecretManagerStandIn standIn;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        standIn = new SecretManagerStandIn("sec-9", "cdbPassword", "pw");
    }

    @AfterEach
    void stop() {
        standIn.close();
    }

    @Test
    void aCorrectlySignedFreshRequestGetsTheSecret() throws Exception {
        HttpResponse<String> response = call(System.currentTimeMillis(), SecretManagerStandIn.ACCESS_KEY,
                SecretManagerStandIn.SECRET_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"code\":\"SUCCESS\"").contains("decryptedSecretChain");
        assertThat(standIn.verdicts()).containsExactly("ok");
    }

    @Test
    void everyStageTheSecretHasIsServedAsTheRealApiDoesAndATestCanRotate() throws Exception {
        String fresh = call(System.currentTimeMillis(), SecretManagerStandIn.ACCESS_KEY, SecretManagerStandIn.SECRET_KEY).body();
        assertThat(fresh).contains("\"active\":\"{\\\"cdbPassword\\\":\\\"pw\\\"}\"")
                .contains("\"previous\":\"{\\\"cdbPassword\\\":\\\"" + SecretManagerStandIn.OLD_PASSWORD)
                .doesNotContain("pending");

        standIn.stages("now", "next", null);
        String rotating = call(System.currentTimeMillis(), SecretManagerStandIn.ACCESS_KEY, SecretManagerStandIn.SECRET_KEY).body();
        assertThat(rotating).contains("\"active\":\"{\\\"cdbPassword\\\":\\\"now\\\"}\"")
                .contains("\"pending\":\"{\\\"cdbPassword\\\":\\\"next\\\"}\"").doesNotContain("previous");
    }

    @Test
    void aTimestampFourMinutesOffIsAcceptedSixIsNot() throws Exception {
        long now = System.currentTimeMillis();
        assertThat(call(now - 240_000, SecretManagerStandIn.ACCESS_KEY, SecretManagerStandIn.SECRET_KEY).statusCode())
                .isEqualTo(200);
        assertThat(call(now - 360_000, SecretManagerStandIn.ACCESS_KEY, SecretManagerStandIn.SECRET_KEY).statusCode())
                .isEqualTo(401);
        assertThat(call(now + 360_000, SecretManagerStandIn.ACCESS_KEY, SecretManagerStandIn.SECRET_KEY).statusCode())
                .isEqualTo(401);
        assertThat(standIn.verdicts()).containsExactly("ok", "timestamp-skew", "timestamp-skew");
    }

    @Test
    void aWrongKeyOrSignatureIsRejected() throws Exception {
        long now = System.currentTimeMillis();
        assertThat(call(now, "other-access-key", SecretManagerStandIn.SECRET_KEY).statusCode()).isEqualTo(401);
        assertThat(call(now, SecretManagerStandIn.ACCESS_KEY, "wrong-secret").statusCode()).isEqualTo(401);
        assertThat(standIn.verdicts()).containsExactly("unknown-access-key", "bad-signature");
    }

    private HttpResponse<String> call(long timestamp, String accessKey, String secretKey) throws Exception {
        String ts = Long.toString(timestamp);
        HttpRequest request = HttpRequest.newBuilder(URI.create(standIn.url() + PATH))
                .timeout(Duration.ofSeconds(10))
                .header(NcpApiGatewaySigner.TIMESTAMP_HEADER, ts)
                .header(NcpApiGatewaySigner.ACCESS_KEY_HEADER, accessKey)
                .header(NcpApiGatewaySigner.SIGNATURE_HEADER, NcpApiGatewaySigner.sign("GET", PATH, ts, accessKey, secretKey))
                .GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
