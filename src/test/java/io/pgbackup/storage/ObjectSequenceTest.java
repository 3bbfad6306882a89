package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.pgbackup.manifest.StoredObject;
import io.pgbackup.support.S3Server;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The objects of one upload against S3Proxy, one part an object (UPLOAD_MAX_PARTS=1, so parts of any size): the next
 * object starts when one is full, an existing continuation is refused, and a failed upload removes what it completed
 * (only what still has its ETag) and leaves no multipart upload open.
 */
@Timeout(120)
class ObjectSequenceTest {

    static final String BUCKET = "sequence";
    static S3Server server;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        // as PgBackup.main sets them: S3Proxy refuses the SDK's default trailing checksums
        System.setProperty("aws.requestChecksumCalculation", "when_required");
        System.setProperty("aws.responseChecksumValidation", "when_required");
        server = new S3Server();
        server.createBucket(BUCKET);
        s3 = server.client();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    ObjectSequence sequence(String key) {
        return new ObjectSequence(ObjectStore.over(s3, BUCKET, 1000), key, 1, k -> s3.createMultipartUpload(b -> b.bucket(BUCKET).key(k))
                .uploadId(), exchange);
    }

    /** One part into the sequence, as StreamingUpload sends it. */
    static void part(ObjectSequence objects, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        int number = objects.nextPart();
        String etag = s3.uploadPart(b -> b.bucket(BUCKET).key(objects.key()).uploadId(objects.uploadId())
                .partNumber(number), RequestBody.fromBytes(data)).eTag();
        objects.partDone(new StreamingUpload.PartResult(number, etag, StreamingUpload.digest("MD5").digest(data), data,
                data.length));
    }

    /** Three one-part objects under {@code key}: two completed, the third's upload still open. */
    ObjectSequence twoObjectsAndAThirdOpen(String key) {
        ObjectSequence objects = sequence(key);
        part(objects, "first object");
        part(objects, "second object");
        part(objects, "third");
        return objects;
    }

    List<String> openUploads(String prefix) {
        return s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads().stream()
                .map(u -> u.key()).toList();
    }

    @Test
    void aFullObjectIsCompletedAndTheStreamGoesOnInTheNextRecordedInOrder() {
        String key = "full/2026/11/28/shop_20261128020000.sql.gz";
        ObjectSequence objects = twoObjectsAndAThirdOpen(key);
        objects.complete();

        assertThat(objects.stored()).extracting(StoredObject::key).containsExactly(key, key + ".part2", key + ".part3");
        assertThat(objects.stored()).extracting(StoredObject::bytes).containsExactly(12L, 13L, 5L);
        assertThat(BackupObjects.stored(exchange)).isEqualTo(objects.stored());
        assertThat(new String(server.get(BUCKET, key + ".part2"), StandardCharsets.UTF_8)).isEqualTo("second object");
        assertThat(openUploads("full/")).isEmpty();
    }

    @Test
    void anExistingContinuationIsRefusedAndLeftAsItWas() {
        String key = "taken/2026/11/28/shop_20261128020000.sql.gz";
        server.put(BUCKET, key + ".part2", "someone else's".getBytes(StandardCharsets.UTF_8));
        ObjectSequence objects = sequence(key);
        part(objects, "first object");

        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> part(objects, "second object"));
        objects.abort(refused);

        assertThat(refused).hasMessageContaining(key + ".part2 already exists; refusing to overwrite it");
        assertThat(server.keys(BUCKET)).filteredOn(k -> k.startsWith("taken/")).containsExactly(key + ".part2");
        assertThat(new String(server.get(BUCKET, key + ".part2"), StandardCharsets.UTF_8)).isEqualTo("someone else's");
    }

    @Test
    void aFailedUploadRemovesTheObjectsItCompletedButNotOneAnotherWriterReplaced() {
        String key = "failed/2026/11/28/shop_20261128020000.sql.gz";
        ObjectSequence objects = twoObjectsAndAThirdOpen(key);
        server.put(BUCKET, key, "another writer's".getBytes(StandardCharsets.UTF_8));

        objects.abort(new IllegalStateException("the dump failed"));

        assertThat(server.keys(BUCKET)).filteredOn(k -> k.startsWith("failed/")).containsExactly(key);
        assertThat(openUploads("failed/")).isEmpty();
        assertThat(BackupObjects.stored(exchange)).isNull();
    }
}
