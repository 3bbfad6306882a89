package io.pgbackup.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import io.pgbackup.ncp.NcpApiGatewaySigner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-ins refuse what NCP refuses: a self-test, so that the end-to-end tests cannot pass against a lax one. */
class CloudDbStandInTest {

    private static final String PATH = "/vpostgresql/v2/getCloudPostgresqlBackupDetailList";
    private static final String GOOD_QUERY = "cloudPostgresqlInstanceNo=123&pageNo=0&pageSize=10&regionCode=KR&responseFormatType=json";

    private CloudDbStandIn standIn;
    private SecretManagerStandIn secretManager;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        standIn = new CloudDbStandIn("123");
        standIn.backups(List.of(OffsetDateTime.now().minusHours(3)));
        secretManager = new SecretManagerStandIn("sec-1", "cdbPassword", "pw");
    }

    @AfterEach
    void stop() {
        standIn.close();
        secretManager.close();
    }

    @Test
    void aSignedRequestWithPagingGetsAPage() throws Exception {
        assertThat(call(standIn.url(), "GET", PATH, GOOD_QUERY, true).statusCode()).isEqualTo(200);
        assertThat(standIn.requests()).containsExactly("page 0");
    }

    @Test
    void missingOrBadPagingIsA400() throws Exception {
        for (String query : List.of(
                "cloudPostgresqlInstanceNo=123&regionCode=KR&responseFormatType=json",
                "cloudPostgresqlInstanceNo=123&pageNo=0&regionCode=KR&responseFormatType=json",
                "cloudPostgresqlInstanceNo=123&pageNo=x&pageSize=10&regionCode=KR&responseFormatType=json",
                "cloudPostgresqlInstanceNo=123&pageNo=0&pageSize=1001&regionCode=KR&responseFormatType=json",
                "cloudPostgresqlInstanceNo=123&pageNo=0&pageSize=10&responseFormatType=json")) {
            assertThat(call(standIn.url(), "GET", PATH, query, true).statusCode()).as(query).isEqualTo(400);
        }
        assertThat(standIn.requests()).containsOnly("bad-request").hasSize(5);
    }

    @Test
    void aWrongPathMethodOrAnUnsignedQueryIsRefused() throws Exception {
        assertThat(call(standIn.url(), "GET", "/vpostgresql/v2/getCloudPostgresqlInstanceList", GOOD_QUERY, true).statusCode())
                .isEqualTo(404);
        assertThat(call(standIn.url(), "POST", PATH, GOOD_QUERY, true).statusCode()).isEqualTo(405);
        assertThat(call(standIn.url(), "GET", PATH, GOOD_QUERY, false).statusCode()).as("signed without the query")
                .isEqualTo(401);
        assertThat(standIn.requests()).containsExactly("method-not-allowed", "bad-signature");

        assertThat(call(secretManager.url(), "POST", "/api/v1/secrets/sec-1/values", null, true).statusCode()).isEqualTo(405);
        assertThat(call(secretManager.url(), "GET", "/api/v1/secrets/other/values", null, true).statusCode()).isEqualTo(404);
        assertThat(secretManager.verdicts()).containsExactly("method-not-allowed", "no-such-secret");
    }

    /** Signed as NCP wants (path with query), or with the path alone when {@code signQuery} is false. */
    private HttpResponse<String> call(String base, String method, String path, String query, boolean signQuery)
            throws Exception {
        String ts = Long.toString(System.currentTimeMillis());
        String signed = signQuery && query != null ? path + "?" + query : path;
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path + (query == null ? "" : "?" + query)))
                .timeout(Duration.ofSeconds(10))
                .header(NcpApiGatewaySigner.TIMESTAMP_HEADER, ts)
                .header(NcpApiGatewaySigner.ACCESS_KEY_HEADER, SecretManagerStandIn.ACCESS_KEY)
                .header(NcpApiGatewaySigner.SIGNATURE_HEADER, NcpApiGatewaySigner.sign(method, signed, ts,
                        SecretManagerStandIn.ACCESS_KEY, SecretManagerStandIn.SECRET_KEY))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
