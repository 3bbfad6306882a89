package io.pgbackup.compress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.DataFormatName;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Gzip as a Camel data format, with a settable compression level (camel-zip-deflater's gzipDeflater has none)
 * that uses every core: blocks of the stream are compressed in parallel into gzip members written in order
 * ({@link ParallelGzipOutputStream}); the result is one gzip file that gunzip and psql pipelines read as usual.
 * <p>
 * {@code marshal} streams the body (for example pg_dump's live stdout) through the compressor and records the raw
 * and compressed byte counts as exchange properties {@value #RAW_BYTES} and {@value #COMPRESSED_BYTES}.
 * {@link #decompress(InputStream)} returns a lazily decompressing stream for restores (Camel's unmarshal step closes
 * its input as soon as the data format returns, so it cannot hand a stream on).
 */
public class GzipCompression extends ServiceSupport implements DataFormat, DataFormatName {

    public static final String RAW_BYTES = "rawBytes";
    public static final String COMPRESSED_BYTES = "compressedBytes";

    private static final int BUFFER = 64 * 1024;

    private static final int BLOCK = 1024 * 1024;

    private int level = 6;
    private int threads = Runtime.getRuntime().availableProcessors();
    private ExecutorService workers;

    @Override
    public String getDataFormatName() {
        return "pg-backup-gzip";
    }

    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) throws Exception {
        CountingOutputStream counted = new CountingOutputStream(stream);
        long raw;
        try (InputStream in = exchange.getContext().getTypeConverter().mandatoryConvertTo(InputStream.class, exchange, graph)) {
            if (threads > 1) {
                ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(counted, workers(), threads, level, BLOCK);
                try {
                    raw = in.transferTo(gzip);
                    gzip.finish();
                } catch (Exception | Error e) {
                    gzip.abort();
                    throw e;
                }
            } else {
                GZIPOutputStream gzip = new LeveledGzipOutputStream(counted, level);
                raw = in.transferTo(gzip);
                gzip.finish();
                gzip.flush();
            }
        }
        exchange.setProperty(RAW_BYTES, raw);
        exchange.setProperty(COMPRESSED_BYTES, counted.count);
    }

    private synchronized ExecutorService workers() {
        if (workers == null) {
            AtomicInteger n = new AtomicInteger();
            workers = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "pg-backup-gzip-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return workers;
    }

    @Override
    protected synchronized void doStop() {
        if (workers != null) {
            workers.shutdownNow();
            workers = null;
        }
    }

    @Override
    public Object unmarshal(Exchange exchange, InputStream stream) throws Exception {
        throw new UnsupportedOperationException("use the decompress method: unmarshal would close the stream it returns");
    }

    /** A stream that inflates {@code compressed} as it is read. */
    public InputStream decompress(InputStream compressed) throws IOException {
        return new GZIPInputStream(compressed, BUFFER);
    }

    /** Compression threads (BACKUP_COMPRESSION_THREADS); 0 = one per core. 1 = a single plain gzip stream. */
    public void setThreads(int threads) {
        if (threads < 0 || threads > 64) {
            throw new IllegalArgumentException("BACKUP_COMPRESSION_THREADS must be 0..64, got " + threads);
        }
        this.threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    public int getLevel() {
        return level;
    }

    public void setLevel(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("BACKUP_COMPRESSION_LEVEL must be 1..9, got " + level);
        }
        this.level = level;
    }

    @Override
    public String toString() {
        return "gzip(level " + level + ", " + threads + " threads)";
    }

    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, BUFFER);
            def.setLevel(level == 0 ? Deflater.DEFAULT_COMPRESSION : level);
        }
    }

    private static final class CountingOutputStream extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
