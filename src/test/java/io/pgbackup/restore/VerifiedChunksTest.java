package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pgbackup.compress.GzipCompression;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.storage.ChunkHashes;
import io.pgbackup.storage.StoredObjectMismatchException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each chunk of a stored object is handed on only after its SHA-256 matched the manifest's. */
@Timeout(60)
class VerifiedChunksTest {

    private static final int CHUNK = ChunkHashes.MIN_CHUNK_BYTES;

    private final GzipCompression gzip = new GzipCompression();

    @AfterEach
    void stop() {
        gzip.stop();
    }

    private static byte[] object(int length) {
        byte[] bytes = new byte[length];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static List<String> hashes(byte[] object) {
        ChunkHashes hashes = new ChunkHashes(CHUNK);
        hashes.update(object, 0, object.length);
        return hashes.finish();
    }

    /** What the reader got before the stream failed, and the failure. */
    private record Outcome(byte[] delivered, Exception failure) {
    }

    private static Outcome readAll(InputStream in) {
        ByteArrayOutputStream delivered = new ByteArrayOutputStream();
        byte[] buffer = new byte[5000]; // not a divisor of the chunk size
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                delivered.write(buffer, 0, n);
            }
            return new Outcome(delivered.toByteArray(), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(delivered.toByteArray(), e);
        }
    }

    @Test
    void aMatchingObjectOfSeveralChunksReadsWhole() throws Exception {
        byte[] object = object(5 * CHUNK + 1234);
        List<String> hashes = hashes(object);
        assertThat(hashes).hasSize(6);
        Outcome outcome = readAll(new VerifiedChunks(new ByteArrayInputStream(object), "k", CHUNK, hashes,
                (long) object.length));
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.delivered()).isEqualTo(object);
    }

    @Test
    void aFlippedByteStopsBeforeAnyByteOfItsChunkFirstMiddleOrLast() throws Exception {
        byte[] object = object(5 * CHUNK + 1234);
        List<String> hashes = hashes(object);
        for (int chunk : new int[] {0, 3, 5}) {
            byte[] damaged = object.clone();
            int at = chunk * CHUNK + (chunk == 5 ? 1000 : CHUNK / 2);
            damaged[at] ^= 1;
            Outcome outcome = readAll(new VerifiedChunks(new ByteArrayInputStream(damaged), "k", CHUNK, hashes,
                    (long) object.length));
            assertThat(outcome.failure()).isInstanceOf(VerifiedChunks.ChunkMismatchException.class)
                    .hasMessageContaining("chunk " + chunk + " of 6")
                    .hasMessageContaining("bytes " + (long) chunk * CHUNK + " to");
            // exactly the chunks before it, and they are the stored ones
            assertThat(outcome.delivered()).isEqualTo(Arrays.copyOf(object, chunk * CHUNK));
        }
    }

    @Test
    void aMissingLastChunkOrAShortOneFailsNamingIt() throws Exception {
        byte[] object = object(3 * CHUNK + 100);
        List<String> hashes = hashes(object);
        Outcome missing = readAll(new VerifiedChunks(new ByteArrayInputStream(Arrays.copyOf(object, 3 * CHUNK)), "k",
                CHUNK, hashes, (long) object.length));
        assertThat(missing.failure()).hasMessageContaining("chunk 3 of 4 (at byte " + 3 * CHUNK + "): it has 0 bytes");
        assertThat(missing.delivered()).isEqualTo(Arrays.copyOf(object, 3 * CHUNK));

        Outcome shortLast = readAll(new VerifiedChunks(new ByteArrayInputStream(Arrays.copyOf(object, object.length - 1)),
                "k", CHUNK, hashes, (long) object.length));
        assertThat(shortLast.failure()).hasMessageContaining("chunk 3 of 4").hasMessageContaining("99 bytes there, 100");
        assertThat(shortLast.delivered()).hasSize(3 * CHUNK);

        Outcome shortMiddle = readAll(new VerifiedChunks(new ByteArrayInputStream(Arrays.copyOf(object, CHUNK + 10)),
                "k", CHUNK, hashes, null));
        assertThat(shortMiddle.failure()).hasMessageContaining("chunk 1 of 4");
        assertThat(shortMiddle.delivered()).hasSize(CHUNK);
    }

    @Test
    void bytesAfterTheLastChunkFailInPlaceOfTheEnd() throws Exception {
        byte[] object = object(2 * CHUNK);
        byte[] longer = Arrays.copyOf(object, object.length + 7);
        Outcome outcome = readAll(new VerifiedChunks(new ByteArrayInputStream(longer), "k", CHUNK, hashes(object),
                (long) object.length));
        assertThat(outcome.failure()).hasMessageContaining("bytes after its last recorded chunk (chunk 2, at byte "
                + 2 * CHUNK + ")");
        assertThat(outcome.delivered()).isEqualTo(object);
    }

    @Test
    void manifestChunkFieldsThatCannotDescribeTheObjectAreRefused() {
        byte[] object = object(2 * CHUNK);
        assertThatThrownBy(() -> new VerifiedChunks(new ByteArrayInputStream(object), "k", 1L << 30, hashes(object), null))
                .hasMessageContaining("pg-backup reads chunks of 1 to " + ChunkHashes.MAX_CHUNK_BYTES + " bytes (the cap)");
        assertThatThrownBy(() -> new VerifiedChunks(new ByteArrayInputStream(object), "k", CHUNK, hashes(object),
                3L * CHUNK)).hasMessageContaining("records 2 chunk hashes of " + CHUNK + " bytes for an object of");
        assertThatThrownBy(() -> new VerifiedChunks(new ByteArrayInputStream(object), "k", CHUNK, List.of("x", "y"), null))
                .hasMessageContaining("not 64 hex digits");
    }

    /** Through the restore's stream: a damaged first chunk gives the decompressor (and so psql) not one byte. */
    @Test
    void aRestoreStreamWithChunkHashesGivesNothingOfADamagedFirstChunk() throws Exception {
        byte[] raw = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(raw); // incompressible: several chunks once compressed
        byte[] object = gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        BackupManifest manifest = new BackupManifest();
        manifest.objectBytes = object.length;
        manifest.objectSha256 = sha256(object);
        manifest.rawBytes = raw.length;
        manifest.chunkBytes = CHUNK;
        manifest.chunkSha256 = hashes(object);

        assertThat(readAll(new CheckedBackupStream(new ByteArrayInputStream(object), gzip,
                CheckedBackupStream.Expected.of(manifest, "k"))).delivered()).isEqualTo(raw);

        byte[] damaged = object.clone();
        damaged[100] ^= 0x20;
        Outcome outcome = readAll(new CheckedBackupStream(new ByteArrayInputStream(damaged), gzip,
                CheckedBackupStream.Expected.of(manifest, "k")));
        assertThat(outcome.failure()).isInstanceOf(StoredObjectMismatchException.class)
                .hasMessageContaining("chunk 0 of " + manifest.chunkSha256.size());
        assertThat(outcome.delivered()).isEmpty();

        // a manifest from before chunk hashes: the same damage is found only later (the old behaviour, still readable)
        manifest.chunkBytes = null;
        manifest.chunkSha256 = null;
        assertThat(readAll(new CheckedBackupStream(new ByteArrayInputStream(object), gzip,
                CheckedBackupStream.Expected.of(manifest, "k"))).delivered()).isEqualTo(raw);
    }

    @Test
    void closeStopsTheReaderThreadEvenWhileTheDownloadHangs() throws Exception {
        byte[] object = object(4 * CHUNK);
        CountDownLatch closed = new CountDownLatch(1);
        InputStream hanging = new InputStream() {
            private final ByteArrayInputStream first = new ByteArrayInputStream(object, 0, 2 * CHUNK);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = first.read(b, off, len);
                if (n > 0) {
                    return n;
                }
                try {
                    closed.await(); // a stalled network read, until the download is closed
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                throw new IOException("closed");
            }

            @Override
            public void close() {
                closed.countDown();
            }
        };
        VerifiedChunks in = new VerifiedChunks(hanging, "k", CHUNK, hashes(object), (long) object.length);
        byte[] some = in.readNBytes(CHUNK + 10);
        assertThat(some).isEqualTo(Arrays.copyOf(object, CHUNK + 10));
        assertThat(in.readerAlive()).isTrue(); // it waits on chunk 2
        in.close();
        assertThat(in.readerAlive()).isFalse();
        assertThatThrownBy(in::read).hasMessageContaining("closed");
    }

    @Test
    void aFailureStopsTheReaderThreadAndKeepsFailing() throws Exception {
        byte[] object = object(4 * CHUNK);
        byte[] damaged = object.clone();
        damaged[CHUNK + 1] ^= 1;
        VerifiedChunks in = new VerifiedChunks(new ByteArrayInputStream(damaged), "k", CHUNK, hashes(object),
                (long) object.length);
        assertThat(in.readNBytes(CHUNK)).isEqualTo(Arrays.copyOf(object, CHUNK));
        assertThatThrownBy(in::read).hasMessageContaining("chunk 1 of 4");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (in.readerAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(in.readerAlive()).isFalse();
        assertThatThrownBy(in::read).hasMessageContaining("chunk 1 of 4");
        in.close();
    }

    @Test
    void uploadHashesCoverEveryChunkAsTheBytesPass() {
        byte[] object = object(2 * CHUNK + 5);
        ChunkHashes pieces = new ChunkHashes(CHUNK);
        for (int i = 0; i < object.length; i += 1000) {
            pieces.update(object, i, Math.min(1000, object.length - i));
        }
        assertThat(pieces.finish()).isEqualTo(hashes(object)).hasSize(3)
                .first().isEqualTo(sha256(Arrays.copyOf(object, CHUNK)));
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
