package io.pgbackup.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The test proxy does what the failure tests rely on: it corrupts a large answer, and refuses chosen requests. */
@Timeout(120)
class FaultyHttpProxyTest {

    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3Server();
        s3.createBucket("proxy-test");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    private static S3Client through(FaultyHttpProxy proxy) {
        return S3Client.builder().endpointOverride(URI.create(proxy.endpoint())).region(Region.of(S3Server.REGION))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY,
                        S3Server.SECRET_KEY))).build();
    }

    @Test
    void aLargeAnswerIsCorruptedAndSmallOnesPass() throws Exception {
        byte[] data = new byte[3_000_000];
        Arrays.fill(data, (byte) 'x');
        try (FaultyHttpProxy proxy = new FaultyHttpProxy(URI.create(s3.endpoint()).getPort()).corruptBodiesLargerThan(1_000_000);
                S3Client client = through(proxy)) {
            client.putObject(b -> b.bucket("proxy-test").key("big"), RequestBody.fromBytes(data));
            client.putObject(b -> b.bucket("proxy-test").key("small"), RequestBody.fromBytes(new byte[10]));
            assertThat(client.headObject(b -> b.bucket("proxy-test").key("big")).contentLength()).isEqualTo(3_000_000L);
            assertThat(client.getObjectAsBytes(b -> b.bucket("proxy-test").key("small")).asByteArray()).hasSize(10);
            // a listing answers chunked: the connection stays understood after it
            assertThat(client.listObjects(b -> b.bucket("proxy-test")).contents()).isNotEmpty();
            byte[] read = client.getObjectAsBytes(b -> b.bucket("proxy-test").key("big")).asByteArray();
            assertThat(read).hasSize(data.length).isNotEqualTo(data);
            assertThat(proxy.corrupted()).isEqualTo(1);
        }
    }

    @Test
    void aChosenRequestIsNeverAnswered() throws Exception {
        try (FaultyHttpProxy proxy = new FaultyHttpProxy(URI.create(s3.endpoint()).getPort())
                .dropRequests(line -> line.contains("refused"));
                S3Client client = through(proxy)) {
            client.putObject(b -> b.bucket("proxy-test").key("fine"), RequestBody.fromString("ok"));
            assertThatThrownBy(() -> client.putObject(b -> b.bucket("proxy-test").key("refused.json"),
                    RequestBody.fromString("{}"))).isInstanceOf(software.amazon.awssdk.core.exception.SdkClientException.class);
            assertThat(proxy.dropped()).isPositive();
            assertThat(s3.keys("proxy-test")).contains("fine").doesNotContain("refused.json");
        }
    }
}
