package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import io.pgbackup.compress.GzipCompression;
import io.pgbackup.storage.StoredObjectMismatchException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stream restore feeds psql: every check happens before the end of the stream is reported. */
@Timeout(60)
class CheckedBackupStreamTest {

    private final GzipCompression gzip = new GzipCompression();

    @AfterEach
    void stop() {
        gzip.stop();
    }

    private byte[] raw() {
        byte[] raw = new byte[9 * 1024 * 1024 + 17];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) ("COPY public.t FROM stdin;\n".charAt(i % 26));
        }
        return raw;
    }

    @Test
    void aMatchingObjectReadsWholeAndKnowsItsDigest() throws Exception {
        byte[] raw = raw();
        byte[] object = gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        CheckedBackupStream in = new CheckedBackupStream(new ByteArrayInputStream(object), gzip,
                new CheckedBackupStream.Expected("k", (long) object.length, sha256(object), (long) raw.length));
        assertThat(in.readAllBytes()).isEqualTo(raw);
        assertThat(in.objectSha256()).isEqualTo(sha256(object));
        assertThat(in.read()).isEqualTo(-1);
    }

    /** Each mismatch is thrown where the end of the stream would have been: the reader never sees a clean end. */
    @Test
    void everyMismatchReplacesTheEndOfTheStream() throws Exception {
        byte[] raw = raw();
        byte[] object = gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        String sha = sha256(object);
        assertEndFails(object, new CheckedBackupStream.Expected("k", object.length + 1L, sha, (long) raw.length),
                "has " + object.length + " bytes, its manifest records " + (object.length + 1));
        assertEndFails(object, new CheckedBackupStream.Expected("k", (long) object.length, "ab".repeat(32), (long) raw.length),
                "has SHA-256 " + sha + ", its manifest records");
        assertEndFails(object, new CheckedBackupStream.Expected("k", (long) object.length, sha, raw.length - 1L),
                "decompresses to " + raw.length + " bytes of dump, its manifest records " + (raw.length - 1));
    }

    @Test
    void aDamagedObjectOrAFailingDownloadIsNamed() throws Exception {
        byte[] object = gzip.compress(new ByteArrayInputStream(raw())).readAllBytes();
        byte[] cut = Arrays.copyOf(object, object.length / 2);
        assertThatThrownBy(() -> new CheckedBackupStream(new ByteArrayInputStream(cut), gzip,
                CheckedBackupStream.Expected.of(null, "k")).readAllBytes())
                .isInstanceOf(StoredObjectMismatchException.class).hasMessageContaining("stored object k is damaged")
                .hasMessageContaining("truncated");

        InputStream failing = new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                if (served++ < 1000) {
                    return object[served - 1] & 0xff;
                }
                throw new IOException("Connection reset");
            }
        };
        assertThatThrownBy(() -> new CheckedBackupStream(failing, gzip, CheckedBackupStream.Expected.of(null, "k")).readAllBytes())
                .isInstanceOf(IOException.class).hasMessageContaining("reading k from Object Storage failed")
                .hasMessageContaining("Connection reset");
    }

    private void assertEndFails(byte[] object, CheckedBackupStream.Expected expected, String message) throws Exception {
        CheckedBackupStream in = new CheckedBackupStream(new ByteArrayInputStream(object), gzip, expected);
        byte[] buffer = new byte[65536];
        long read = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                read += n;
            }
            throw new AssertionError("the stream ended cleanly after " + read + " bytes");
        } catch (StoredObjectMismatchException e) {
            assertThat(e.getMessage()).contains(message);
            assertThat(read).as("every byte was delivered before the verdict").isEqualTo(in.rawBytes());
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
