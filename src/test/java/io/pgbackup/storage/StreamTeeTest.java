package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StreamTeeTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void bothReadersGetEveryByteOfTheOneSourceReadOnce() throws Exception {
        byte[] data = random(5 * StreamTee.BLOCK + 123);
        CountingStream source = new CountingStream(new ByteArrayInputStream(data));
        StreamTee tee = new StreamTee(source, 2);
        threads.execute(tee);

        Future<byte[]> second = threads.submit(() -> tee.second().readAllBytes());
        byte[] first = tee.first().readAllBytes();

        assertThat(first).isEqualTo(data);
        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(data);
        assertThat(source.read.get()).as("the source is read once").isEqualTo(data.length);
    }

    @Test
    void aReaderThatStopsIsDroppedAndTheOtherReadsToTheEnd() throws Exception {
        byte[] data = random(8 * StreamTee.BLOCK);
        StreamTee tee = new StreamTee(new ByteArrayInputStream(data), 1);
        threads.execute(tee);

        InputStream quitter = tee.second();
        assertThat(quitter.readNBytes(1000)).hasSize(1000);
        quitter.close();
        byte[] first = tee.first().readAllBytes();

        assertThat(first).isEqualTo(data);
    }

    @Test
    void aFailureOfTheSourceReachesBothReadersAsTheSameException() throws Exception {
        IOException broken = new IOException("pg_dump exited with 1");
        InputStream source = new java.io.SequenceInputStream(new ByteArrayInputStream(random(3 * StreamTee.BLOCK)),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw broken;
                    }
                });
        StreamTee tee = new StreamTee(source, 2);
        threads.execute(tee);

        Future<Throwable> second = threads.submit(() -> {
            try {
                tee.second().readAllBytes();
                return null;
            } catch (IOException e) {
                return e;
            }
        });

        assertThatThrownBy(() -> tee.first().readAllBytes()).isSameAs(broken);
        assertThat(second.get(30, TimeUnit.SECONDS)).isSameAs(broken);
    }

    private static byte[] random(int length) {
        byte[] data = new byte[length];
        new Random(42).nextBytes(data);
        return data;
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        final AtomicInteger read = new AtomicInteger();

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read.addAndGet(n);
            }
            return n;
        }
    }
}
