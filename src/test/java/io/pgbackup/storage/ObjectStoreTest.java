package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.pgbackup.manifest.StoredObject;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The port to the store against S3Proxy (SigV4), wired as routes/beans.yaml wires it (an aws2-s3 endpoint URI, the
 * component's endpoint override and keys): a missing key, what a PUT stores, keys that look like expressions kept as
 * they are, and a listing that pages.
 */
@Timeout(120)
class ObjectStoreTest {

    static final String BUCKET = "port";
    static StoreUnderTest under;
    static S3Server server;
    static ObjectStore store;

    @BeforeAll
    static void start() throws Exception {
        under = new StoreUnderTest(BUCKET);
        server = under.server;
        store = under.store("?partSize=6291456");
    }

    @AfterAll
    static void stop() throws Exception {
        if (under != null) {
            under.close();
        }
    }

    @Test
    void theBucketAndPartSizeAreTheEndpointsOwn() {
        assertThat(store.bucket()).isEqualTo(BUCKET);
        assertThat(store.partSize()).isEqualTo(6291456L);
    }

    @Test
    void aMissingKeyIsNullFromHeadAndGetIfPresentAndTheStoresNoSuchKeyFromGet() {
        assertThat(store.head("missing/key.sql.gz")).isNull();
        assertThat(store.getIfPresent("missing/key.sql.gz")).isNull();
        assertThatThrownBy(() -> store.get("missing/key.sql.gz")).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void aPutIsStoredWithItsTypeAndHeadShowsItsSizeAndMd5Etag() throws Exception {
        byte[] bytes = "{\"key\":\"put\"} and some padding".getBytes(StandardCharsets.UTF_8);

        StoredObject sent = store.put("put/one.json", bytes, 13, "application/json", UploadHeaders.Headers.NONE);

        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest("{\"key\":\"put\"}"
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(sent).isEqualTo(new StoredObject("put/one.json", 13, 0, md5));
        assertThat(store.head("put/one.json")).isEqualTo(sent);
        assertThat(server.get(BUCKET, "put/one.json")).isEqualTo("{\"key\":\"put\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(server.client().headObject(b -> b.bucket(BUCKET).key("put/one.json")).contentType())
                .isEqualTo("application/json");
    }

    /** A key from the bucket is data: one that reads like a Simple expression or a URI option is used as it is. */
    @Test
    void keysThatLookLikeExpressionsAreStoredReadAndDeletedAsTheyAre() throws Exception {
        List<String> keys = List.of("data/${env:HOME}.sql.gz", "data/${bean:objectStore?method=delete}",
                "data/a&partSize=1?x=#y {{bucket.name}} 한글");
        for (String key : keys) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            store.put(key, bytes, bytes.length, "application/octet-stream", UploadHeaders.Headers.NONE);
            try (InputStream in = store.get(key)) {
                assertThat(in.readAllBytes()).as(key).isEqualTo(bytes);
            }
        }
        List<String> listed = new ArrayList<>();
        store.list("data/", object -> listed.add(object.key()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(keys);

        for (String key : keys) {
            store.delete(key);
        }
        assertThat(server.keys(BUCKET)).noneMatch(key -> key.startsWith("data/"));
    }

    @Test
    void deletingAMissingKeyIsNoError() {
        store.delete("never/there");

        assertThat(store.head("never/there")).isNull();
    }

    /** Five keys under the prefix, two a page: all five, in key order, and nothing from beside the prefix. */
    @Test
    void theListingPagesThroughEveryKeyUnderThePrefix() {
        for (String key : List.of("paged/a", "paged/b", "paged/c", "paged/d", "paged/e", "pagedX/f", "other/g")) {
            server.put(BUCKET, key, new byte[] {1, 2, 3});
        }
        List<S3Object> listed = new ArrayList<>();

        ObjectStore.over(server.client(), BUCKET, 2).list("paged/", listed::add);

        assertThat(listed).extracting(S3Object::key).containsExactly("paged/a", "paged/b", "paged/c", "paged/d",
                "paged/e");
        assertThat(listed).allSatisfy(object -> {
            assertThat(object.size()).isEqualTo(3L);
            assertThat(object.lastModified()).isNotNull();
        });
    }
}
