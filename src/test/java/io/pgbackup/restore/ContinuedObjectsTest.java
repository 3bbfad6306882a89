package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.pgbackup.manifest.StoredObject;
import io.pgbackup.storage.StoredObjectMismatchException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


/** A backup of several objects read as the one stream it was uploaded as, each object held to its recorded size. */
@Timeout(60)
class ContinuedObjectsTest {

    static final String KEY = "2026/11/28/shop_20261128020000.sql.gz";
    static final byte[] FIRST = "0123456789abcde".getBytes();
    static final byte[] SECOND = "fghijklmnopqrst".getBytes();
    static final byte[] THIRD = "uvwxy".getBytes();
    static final List<StoredObject> OBJECTS = List.of(new StoredObject(KEY, 15, 2, "a-2"),
            new StoredObject(KEY + ".part2", 15, 2, "b-2"), new StoredObject(KEY + ".part3", 5, 1, "c-1"));

    final List<String> opened = new ArrayList<>();

    ContinuedObjects read(byte[] first, Map<String, byte[]> rest) {
        return new ContinuedObjects(new ByteArrayInputStream(first), key -> {
            opened.add(key);
            byte[] bytes = rest.get(key);
            // as the store's getIfPresent: null for a missing key
            return bytes == null ? null : new ByteArrayInputStream(bytes);
        }, KEY, OBJECTS);
    }

    @Test
    void theObjectsAreReadInOrderEachFetchedOnlyWhenTheOneBeforeItEnded() throws IOException {
        try (ContinuedObjects in = read(FIRST, Map.of(KEY + ".part2", SECOND, KEY + ".part3", THIRD))) {
            assertThat(in.readNBytes(15)).isEqualTo(FIRST);
            assertThat(opened).isEmpty();
            assertThat(in.readAllBytes()).isEqualTo("fghijklmnopqrstuvwxy".getBytes());
            assertThat(opened).containsExactly(KEY + ".part2", KEY + ".part3");
        }
    }

    @Test
    void anObjectShorterOrLongerThanItsManifestRecordsEndsTheStreamNamingIt() {
        assertThatThrownBy(() -> read(FIRST, Map.of(KEY + ".part2", "fghij".getBytes(), KEY + ".part3", THIRD))
                .readAllBytes()).isInstanceOf(VerifiedChunks.ChunkMismatchException.class)
                .hasMessageContaining("object " + KEY + ".part2 (2 of 3 of backup " + KEY + ") ends after 5 bytes, its"
                        + " manifest records 15");
        assertThatThrownBy(() -> read(FIRST, Map.of(KEY + ".part2", SECOND, KEY + ".part3", "uvwxyz".getBytes()))
                .readAllBytes()).isInstanceOf(VerifiedChunks.ChunkMismatchException.class)
                .hasMessageContaining(KEY + ".part3 (3 of 3 of backup " + KEY + ") is longer than the 5 bytes");
    }

    @Test
    void aMissingContinuationIsNamed() {
        assertThatThrownBy(() -> read(FIRST, Map.of(KEY + ".part2", SECOND)).readAllBytes())
                .isInstanceOf(VerifiedChunks.ChunkMismatchException.class)
                .hasMessageContaining(KEY + ".part3 (3 of 3 of backup " + KEY + ") is missing");
    }

    /** The manifest's keys are never fetched as they are: each must be the name of its place. */
    @Test
    void aManifestListingAnotherObjectOrAnotherTotalIsNotRead() {
        assertThat(ContinuedObjects.listed(KEY, OBJECTS, 35L)).isEqualTo(OBJECTS);
        List<StoredObject> elsewhere = List.of(OBJECTS.get(0), new StoredObject("2026/11/28/other_20261128020000.sql.gz",
                15, 2, "b-2"), OBJECTS.get(2));
        assertThatThrownBy(() -> ContinuedObjects.listed(KEY, elsewhere, 35L)).isInstanceOf(
                StoredObjectMismatchException.class).hasMessageContaining("lists 2026/11/28/other_20261128020000.sql.gz"
                + " as its object 2 of 3, where " + KEY + ".part2 belongs");
        assertThatThrownBy(() -> ContinuedObjects.listed(KEY, OBJECTS, 36L)).isInstanceOf(
                StoredObjectMismatchException.class).hasMessageContaining("records 36 bytes, its objects 35");
        List<StoredObject> emptyMiddle = List.of(OBJECTS.get(0), new StoredObject(KEY + ".part2", 0, 0, "b"),
                OBJECTS.get(2));
        assertThatThrownBy(() -> ContinuedObjects.listed(KEY, emptyMiddle, 20L)).isInstanceOf(
                StoredObjectMismatchException.class).hasMessageContaining("records 0 bytes for " + KEY + ".part2");
    }

    /** Chunks of 10 bytes over objects of 15, 15 and 5: a changed byte of the second object is named in it. */
    @Test
    void aChunkThatDiffersNamesTheObjectsItLiesIn() throws Exception {
        byte[] whole = "0123456789abcdefghijklmnopqrstuvwxy".getBytes();
        List<String> hashes = new ArrayList<>();
        for (int at = 0; at < whole.length; at += 10) {
            hashes.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Arrays.copyOfRange(whole, at, Math.min(whole.length, at + 10)))));
        }
        byte[] tampered = SECOND.clone();
        tampered[7] = '!';
        try (InputStream in = new VerifiedChunks(read(FIRST, Map.of(KEY + ".part2", tampered, KEY + ".part3", THIRD)),
                KEY, 10, hashes, 35L)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(VerifiedChunks.ChunkMismatchException.class)
                    .hasMessageContaining("chunk 2 of 4 (bytes 20 to 29 in object " + KEY + ".part2 (its bytes 5 to 14))");
        }
        assertThat(read(FIRST, Map.of()).place(10, 19)).isEqualTo(" in object " + KEY + " (its bytes 10 to 14) and "
                + KEY + ".part2 (its bytes 0 to 4)");
    }
}
