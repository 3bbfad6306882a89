package io.pgbackup.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The decompressor restore, verify and the read-back check use: every gzip member, whatever the source's read sizes
 * and available() say (a network stream: JDK-8322256), and an error for anything that is not a whole gzip file.
 */
@Timeout(120)
class GzipMembersInputStreamTest {

    @RegisterExtension
    final Compressions compressions = new Compressions();

    /** A network-like source: 1..maxRead bytes a read, never anything "available". */
    static final class TrickleSource extends InputStream {
        private final byte[] data;
        private final Random random;
        private final int maxRead;
        private int position;

        TrickleSource(byte[] data, long seed, int maxRead) {
            this.data = data;
            this.random = new Random(seed);
            this.maxRead = maxRead;
        }

        @Override
        public int read() {
            return position < data.length ? data[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(length, 1 + random.nextInt(maxRead)), data.length - position);
            System.arraycopy(data, position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return 0;
        }
    }

    @Test
    void everyMemberIsReadWhateverTheReadSizesAndAvailableSay() throws Exception {
        // three members (two whole 4 MiB blocks and a short one) give every kind of boundary: member to member and
        // the last one's end; more blocks only repeat them
        byte[] raw = Compressions.sample(2 * BlockCompression.BLOCK + 777);
        byte[] compressed = compressions.gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        int members = countMembers(compressed);
        assertThat(members).as("one member per 4 MiB block").isEqualTo(3);

        for (int maxRead : new int[] {1, 7, 26, 64, 4096, 70_000}) {
            for (long seed = 1; seed <= 3; seed++) {
                try (GzipMembersInputStream in = new GzipMembersInputStream(new TrickleSource(compressed, seed, maxRead), 4096)) {
                    byte[] out = readAll(in, 1 + (int) seed * 5000);
                    assertThat(out).as("max read %d, seed %d", maxRead, seed).hasSize(raw.length).isEqualTo(raw);
                    assertThat(in.members()).isEqualTo(members);
                }
            }
        }
    }

    /** Reads that end exactly at, or a few bytes before, each member boundary: where Java 17's reader gives up. */
    @Test
    void readsEndingRightAtMemberBoundariesLoseNothing() throws Exception {
        byte[] raw = Compressions.sample(3 * BlockCompression.BLOCK + 5);
        byte[] compressed = compressions.gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        int[] boundaries = memberEnds(compressed);
        for (int before : new int[] {0, 1, 8, 20, 26}) {
            InputStream source = new InputStream() {
                private int position;

                @Override
                public int read() {
                    return position < compressed.length ? compressed[position++] & 0xff : -1;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    if (position >= compressed.length) {
                        return -1;
                    }
                    int stop = compressed.length;
                    for (int end : boundaries) {
                        if (end - before > position) {
                            stop = end - before;
                            break;
                        }
                    }
                    int n = Math.min(length, stop - position);
                    System.arraycopy(compressed, position, buffer, offset, n);
                    position += n;
                    return n;
                }

                @Override
                public int available() {
                    return 0;
                }
            };
            try (InputStream in = new GzipMembersInputStream(source)) {
                assertThat(in.readAllBytes()).as("reads ending %d bytes before each boundary", before).isEqualTo(raw);
            }
        }
    }

    @Test
    void bytesAfterTheLastMemberAreAnError() throws Exception {
        byte[] raw = Compressions.sample(BlockCompression.BLOCK + 10);
        byte[] compressed = compressions.gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        for (byte[] garbage : new byte[][] {{0}, {0, 0, 0, 0}, "junk".getBytes(), {0x1f}}) {
            byte[] withGarbage = concat(compressed, garbage);
            assertThatThrownBy(() -> readAll(new GzipMembersInputStream(new TrickleSource(withGarbage, 3, 100)), 8192))
                    .as("garbage %s", Arrays.toString(garbage))
                    .isInstanceOf(IOException.class)
                    .hasMessageMatching("(unexpected bytes after gzip member 2 at byte " + compressed.length
                            + ".*|the gzip stream is truncated.*)");
        }
    }

    @Test
    void aTruncatedStreamIsAnErrorAtEveryCut() throws Exception {
        byte[] raw = Compressions.sample(2 * BlockCompression.BLOCK + 3);
        byte[] compressed = compressions.gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        int[] boundaries = memberEnds(compressed);
        int[] cuts = {0, 5, 10, 11, 1000, boundaries[0] - 8, boundaries[0] - 1, boundaries[0] + 3, compressed.length - 1};
        for (int cut : cuts) {
            byte[] truncated = Arrays.copyOf(compressed, cut);
            assertThatThrownBy(() -> readAll(new GzipMembersInputStream(new ByteArrayInputStream(truncated)), 65536))
                    .as("cut at %d of %d", cut, compressed.length)
                    .isInstanceOf(EOFException.class)
                    .hasMessageMatching("(the gzip stream is truncated.*|the object is empty: not a gzip file)");
        }
    }

    @Test
    void aFlippedByteIsCaught() throws Exception {
        byte[] raw = Compressions.sample(2 * BlockCompression.BLOCK);
        byte[] compressed = compressions.gzip.compress(new ByteArrayInputStream(raw)).readAllBytes();
        for (int at : new int[] {100, compressed.length / 2, compressed.length - 6}) {
            byte[] flipped = compressed.clone();
            flipped[at] ^= 0x10;
            assertThatThrownBy(() -> readAll(new GzipMembersInputStream(new ByteArrayInputStream(flipped)), 65536))
                    .as("flipped at %d", at).isInstanceOf(IOException.class);
        }
    }

    @Test
    void notGzipIsNamedAsSuch() {
        assertThatThrownBy(() -> readAll(new GzipMembersInputStream(new ByteArrayInputStream("-- SQL\n".getBytes())), 10))
                .isInstanceOf(ZipException.class).hasMessageContaining("not a gzip file");
    }

    /** Members written by other tools: a file name, a comment, an extra field and a header CRC are skipped. */
    @Test
    void headersWithOptionalFieldsAndJavaMembersAreRead() throws Exception {
        byte[] plain = javaGzip("first member\n".getBytes());
        byte[] deflated = Arrays.copyOfRange(plain, 10, plain.length);
        byte[] header = {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3, 3, 0, 'a', 'b', 'c', 'f', '.', 's', 'q',
                'l', 0, 'h', 'i', 0, 0x12, 0x34};
        byte[] both = concat(concat(header, deflated), javaGzip("second member\n".getBytes()));
        try (InputStream in = new GzipMembersInputStream(new TrickleSource(both, 9, 3))) {
            assertThat(new String(in.readAllBytes())).isEqualTo("first member\nsecond member\n");
        }
    }

    /** zstd (BACKUP_COMPRESSION=zstd): zstd-jni's reader reads every frame, and fails on a cut or trailing bytes. */
    @Test
    void zstdFramesAreReadWholeAndACutOrTrailingBytesFail() throws Exception {
        byte[] raw = Compressions.sample(3 * BlockCompression.BLOCK + 11);
        byte[] compressed = compressions.zstd.compress(new ByteArrayInputStream(raw)).readAllBytes();
        try (InputStream in = compressions.zstd.decompress(new TrickleSource(compressed, 4, 50))) {
            assertThat(readAll(in, 3000)).isEqualTo(raw);
        }
        byte[] truncated = Arrays.copyOf(compressed, compressed.length - 100);
        assertThatThrownBy(() -> readAll(compressions.zstd.decompress(new TrickleSource(truncated, 5, 4096)), 65536))
                .isInstanceOf(IOException.class);
        byte[] trailing = concat(compressed, "junk".getBytes());
        assertThatThrownBy(() -> readAll(compressions.zstd.decompress(new TrickleSource(trailing, 6, 4096)), 65536))
                .isInstanceOf(IOException.class);
    }

    static byte[] readAll(InputStream in, int chunk) throws IOException {
        try (InputStream stream = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[chunk];
            int n;
            while ((n = stream.read(buffer, 0, buffer.length)) >= 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** Where each member ends in a file written by {@link GzipCompression} (no optional header fields). */
    static int[] memberEnds(byte[] compressed) throws IOException {
        int count = countMembers(compressed);
        int[] ends = new int[count];
        int found = 0;
        for (int i = 18; i + 10 <= compressed.length && found < count - 1; i++) {
            if (compressed[i] == 0x1f && compressed[i + 1] == (byte) 0x8b && compressed[i + 2] == 8 && compressed[i + 3] == 0
                    && compressed[i + 9] == (byte) 0xff && isWholeGzip(Arrays.copyOf(compressed, i))) {
                ends[found++] = i;
            }
        }
        ends[count - 1] = compressed.length;
        return ends;
    }

    private static boolean isWholeGzip(byte[] prefix) {
        try {
            readAll(new GzipMembersInputStream(new ByteArrayInputStream(prefix)), 65536);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int countMembers(byte[] compressed) throws IOException {
        GzipMembersInputStream in = new GzipMembersInputStream(new ByteArrayInputStream(compressed));
        readAll(in, 65536);
        return (int) in.members();
    }

    static byte[] javaGzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
