package io.pgbackup.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class GzipCompressionTest {

    @RegisterExtension
    final Compressions compressions = new Compressions();

    @Test
    void roundTripsAcrossManyBlocksAndCounts() throws Exception {
        byte[] raw = Compressions.sample(3 * BlockCompression.BLOCK + 12_345);
        BlockCompressingInputStream compressed = compressions.gzip.compress(new ByteArrayInputStream(raw));
        byte[] bytes = compressed.readAllBytes();

        assertThat(compressed.compressedBytes()).isEqualTo(bytes.length);
        assertThat(bytes.length).isLessThan(raw.length / 2);
        try (InputStream in = compressions.gzip.decompress(new ByteArrayInputStream(bytes))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    /** The members read back whole by the tools users restore with: gunzip, and zstd -d for compressions.zstd. */
    @Test
    void gzipMembersAndZstdFramesAreOneFileForTheCommandLineTools() throws Exception {
        byte[] raw = Compressions.sample(2 * BlockCompression.BLOCK + 99);
        compressions.gzip.setThreads(3);
        assertThat(pipe(compressions.gzip.compress(new ByteArrayInputStream(raw)).readAllBytes(), "gunzip", "-c")).isEqualTo(raw);
        assertThat(pipe(compressions.zstd.compress(new ByteArrayInputStream(raw)).readAllBytes(), "zstd", "-dc")).isEqualTo(raw);
        byte[] zstdFrames = compressions.zstd.compress(new ByteArrayInputStream(raw)).readAllBytes();
        try (InputStream in = compressions.zstd.decompress(new ByteArrayInputStream(zstdFrames))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    @Test
    void emptyInputIsAValidEmptyFile() throws Exception {
        byte[] bytes = compressions.gzip.compress(new ByteArrayInputStream(new byte[0])).readAllBytes();
        assertThat(bytes).isNotEmpty();
        try (InputStream in = compressions.gzip.decompress(new ByteArrayInputStream(bytes))) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThat(pipe(compressions.zstd.compress(new ByteArrayInputStream(new byte[0])).readAllBytes(), "zstd", "-dc")).isEmpty();
    }

    @Test
    void marshalAsADataFormatWritesTheSameGzip() throws Exception {
        byte[] raw = Compressions.sample(1_000_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        compressions.gzip.marshal(new DefaultExchange(new DefaultCamelContext()), new ByteArrayInputStream(raw), out);
        try (InputStream in = compressions.gzip.decompress(new ByteArrayInputStream(out.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    @Test
    void aHigherLevelIsNotLarger() throws Exception {
        byte[] raw = Compressions.sample(2_000_000);
        GzipCompression best = new GzipCompression();
        best.setLevel("9");
        assertThat(best.compress(new ByteArrayInputStream(raw)).readAllBytes().length)
                .isLessThanOrEqualTo(compressions.gzip.compress(new ByteArrayInputStream(raw)).readAllBytes().length);
        best.stop();
    }

    /** pg_dump exiting non-zero surfaces at the end of its stream: the reader of the compressed stream gets it. */
    @Test
    void aFailingSourceFailsTheReaderAndClosingStopsTheSource() throws Exception {
        byte[] head = Compressions.sample(BlockCompression.BLOCK + 10);
        boolean[] closed = {false};
        InputStream failing = new InputStream() {
            int position;

            @Override
            public int read() throws IOException {
                if (position < head.length) {
                    return head[position++] & 0xff;
                }
                throw new IOException("pg_dump exited with code 1");
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        InputStream compressed = compressions.gzip.compress(failing);
        assertThatThrownBy(compressed::readAllBytes).hasMessageContaining("exited with code 1");
        compressed.close();
        assertThat(closed[0]).isTrue();
    }

    /** The level's range is checked at start (SettingRangesAtStartTest); the bean takes the value, empty: its default. */
    @Test
    void levelIsTheSettingsValueAndEmptyKeepsTheDefault() {
        compressions.zstd.setLevel("19");
        compressions.gzip.setLevel("");
        assertThat(compressions.gzip.getLevel()).isEqualTo(GzipCompression.DEFAULT_LEVEL);
        assertThat(compressions.zstd.getLevel()).isEqualTo(19);
        compressions.gzip.setLevel(" 9 ");
        assertThat(compressions.gzip.getLevel()).isEqualTo(9);
    }

    private static byte[] pipe(byte[] input, String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).start();
        Thread feeder = new Thread(() -> {
            try (var stdin = process.getOutputStream()) {
                stdin.write(input);
            } catch (IOException ignored) {
                // the tool ended early: the exit code below says so
            }
        });
        feeder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + " exit code").isZero();
        return output;
    }
}
