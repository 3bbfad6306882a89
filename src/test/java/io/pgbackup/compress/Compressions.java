package io.pgbackup.compress;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A gzip and a zstd compression for each test, stopped after it (their worker threads end with the test), and the
 * sample text both compression test classes compress:
 * {@code @RegisterExtension final Compressions compressions = new Compressions();}
 */
final class Compressions implements AfterEachCallback {

    final GzipCompression gzip = new GzipCompression();
    final ZstdCompression zstd = new ZstdCompression();

    @Override
    public void afterEach(ExtensionContext context) {
        gzip.stop();
        zstd.stop();
    }

    /** SQL-like text with some randomness (the same for a size), so compression has work to do. */
    static byte[] sample(int size) {
        Random random = new Random(42);
        StringBuilder text = new StringBuilder(size + 100);
        while (text.length() < size) {
            text.append(random.nextInt(1_000_000)).append('\t').append("customer-").append(random.nextInt(5000))
                    .append('\t').append(random.nextDouble()).append('\n');
        }
        return text.substring(0, size).getBytes(StandardCharsets.UTF_8);
    }
}
