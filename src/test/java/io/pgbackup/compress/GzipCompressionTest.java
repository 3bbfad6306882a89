package io.pgbackup.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GzipCompressionTest {

    @Test
    void roundTripsAndCountsBytes() throws Exception {
        byte[] raw = sample(3_000_000);
        GzipCompression gzip = new GzipCompression();
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();

        gzip.marshal(exchange, new ByteArrayInputStream(raw), compressed);

        assertThat(exchange.getProperty(GzipCompression.RAW_BYTES, Long.class)).isEqualTo(raw.length);
        assertThat(exchange.getProperty(GzipCompression.COMPRESSED_BYTES, Long.class)).isEqualTo(compressed.size());
        assertThat(compressed.size()).isLessThan(raw.length / 2);
        try (InputStream in = gzip.decompress(new ByteArrayInputStream(compressed.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    /** Parallel members read back whole, by Java and by the gzip tool users restore with. */
    @Test
    void parallelMembersAreOneGzipFileForJavaAndForGunzip() throws Exception {
        byte[] raw = sample(5_500_000);
        GzipCompression gzip = new GzipCompression();
        gzip.setThreads(3);
        gzip.setLevel(1);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();

        gzip.marshal(new DefaultExchange(new DefaultCamelContext()), new ByteArrayInputStream(raw), compressed);

        try (InputStream in = gzip.decompress(new ByteArrayInputStream(compressed.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
        Process gunzip = new ProcessBuilder("gunzip", "-c").start();
        Thread feeder = new Thread(() -> {
            try (var stdin = gunzip.getOutputStream()) {
                stdin.write(compressed.toByteArray());
            } catch (IOException ignored) {
                // gunzip ended early: the assertion below says so
            }
        });
        feeder.start();
        byte[] unzipped = gunzip.getInputStream().readAllBytes();
        assertThat(gunzip.waitFor()).isZero();
        assertThat(unzipped).isEqualTo(raw);
        gzip.stop();
    }

    @Test
    void emptyInputIsAValidEmptyGzip() throws Exception {
        GzipCompression gzip = new GzipCompression();
        gzip.setThreads(2);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();

        gzip.marshal(new DefaultExchange(new DefaultCamelContext()), new ByteArrayInputStream(new byte[0]), compressed);

        try (InputStream in = gzip.decompress(new ByteArrayInputStream(compressed.toByteArray()))) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void aHigherLevelIsNotLarger() throws Exception {
        byte[] raw = sample(2_000_000);
        assertThat(compressedSize(raw, 9)).isLessThanOrEqualTo(compressedSize(raw, 1));
    }

    @Test
    void aFailingSourceFailsTheMarshal() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("pg_dump exited with code 1");
            }
        };
        GzipCompression gzip = new GzipCompression();

        assertThatThrownBy(() -> gzip.marshal(new DefaultExchange(new DefaultCamelContext()), failing,
                new ByteArrayOutputStream())).hasMessageContaining("exited with code 1");
    }

    @Test
    void levelOutsideOneToNineNamesTheSetting() {
        assertThatThrownBy(() -> new GzipCompression().setLevel(11)).hasMessageContaining("BACKUP_COMPRESSION_LEVEL");
    }

    private static long compressedSize(byte[] raw, int level) throws Exception {
        GzipCompression gzip = new GzipCompression();
        gzip.setLevel(level);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        gzip.marshal(new DefaultExchange(new DefaultCamelContext()), new ByteArrayInputStream(raw), out);
        return out.size();
    }

    /** SQL-like text with some randomness, so compression has work to do. */
    private static byte[] sample(int size) {
        Random random = new Random(42);
        StringBuilder text = new StringBuilder(size + 100);
        while (text.length() < size) {
            text.append(random.nextInt(1_000_000)).append('\t').append("customer-").append(random.nextInt(5000))
                    .append('\t').append(random.nextDouble()).append('\n');
        }
        return text.substring(0, size).getBytes(StandardCharsets.UTF_8);
    }
}
