package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import io.pgbackup.support.S3Server;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * The incomplete-upload sweep judges an upload by when it really began: the later of the key's time and the store's
 * Initiated time when the store reports one. Another instance's live upload under a key that looks old (a longer
 * DUMP_TIMEOUT_MS there, a clock behind ours) is left alone.
 */
@Timeout(120)
class IncompleteUploadsTest {

    static final String BUCKET = "uploads-test";
    static final ZoneId ZONE = ZoneId.of("Asia/Seoul");

    @Test
    void theLaterOfKeyTimeAndInitiatedTimeIsWhenTheUploadBegan() {
        Instant key = Instant.parse("2026-12-07T01:00:00Z");
        Instant later = Instant.parse("2026-12-07T03:00:00Z");
        Instant asked = Instant.parse("2026-12-07T04:00:00Z");
        assertThat(IncompleteUploads.begun(key, later, asked)).as("another instance's upload under an old-looking key")
                .isEqualTo(later);
        assertThat(IncompleteUploads.begun(later, key, asked)).isEqualTo(later);
        assertThat(IncompleteUploads.begun(key, null, asked)).as("a store that reports no Initiated time").isEqualTo(key);
        assertThat(IncompleteUploads.begun(key, asked, asked)).as("the listing's own time (S3Proxy in memory)").isEqualTo(key);
        assertThat(IncompleteUploads.begun(null, later, asked)).as("not a backup's key: never touched").isNull();
    }

    /**
     * On S3Proxy's in-memory store, whose Initiated is the time of the listing: an upload under a key dated two hours
     * ago is judged by its key (aborted once past DUMP_TIMEOUT_MS), and one under a key of now is left alone.
     */
    @Test
    void onAStoreWithoutARealInitiatedTimeTheKeyTimeJudges() throws Exception {
        try (StoreUnderTest under = new StoreUnderTest(BUCKET)) {
            S3Server s3 = under.server;
            DefaultCamelContext context = under.context;
            ObjectStore storage = under.store("");
            String oldKey = BackupKey.format("p/", "shop", LocalDateTime.now(ZONE).minusHours(2), "gz");
            String newKey = BackupKey.format("p/", "docs", LocalDateTime.now(ZONE), "gz");
            s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(oldKey));
            s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(newKey));
            // continuation objects (KEY.part2) are as old as their backup's key
            s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(oldKey + ".part2"));
            s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(newKey + ".part2"));

            IncompleteUploads sweep = new IncompleteUploads();
            sweep.setStore(storage);
            sweep.setPrefix("p/");
            sweep.setTimezone(ZONE.getId());
            sweep.setOlderThanMillis(600_000);
            DefaultExchange exchange = new DefaultExchange(context);
            sweep.cleanUp(exchange);

            assertThat(openUploads(s3)).containsExactlyInAnyOrder(newKey, newKey + ".part2");
            assertThat((List<?>) exchange.getProperty(IncompleteUploads.FOUND, List.class)).hasSize(2);
        }
    }

    static List<String> openUploads(S3Server s3) {
        return s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream().map(MultipartUpload::key).toList();
    }
}
