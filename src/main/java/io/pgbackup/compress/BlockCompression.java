package io.pgbackup.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.support.service.ServiceSupport;

/**
 * A compression the backup route can stream through: {@link #compress} returns a stream that compresses its input
 * in blocks on every core as it is read (see {@link BlockCompressingInputStream}), {@link #decompress} a stream that
 * inflates as it is read. Level and threads are settings (BACKUP_COMPRESSION_LEVEL, BACKUP_COMPRESSION_THREADS).
 */
public abstract class BlockCompression extends ServiceSupport {

    /** 4 MiB blocks: large enough that the ratio is within 1% of one stream, small enough to keep 2 cores busy. */
    static final int BLOCK = 4 * 1024 * 1024;

    private final String name;
    private final String extension;
    private int level;
    private int threads = Runtime.getRuntime().availableProcessors();
    private ExecutorService workers;

    protected BlockCompression(String name, String extension, int defaultLevel) {
        this.name = name;
        this.extension = extension;
        this.level = defaultLevel;
    }

    /** The file name extension of the stored object: "gz", "zst". */
    public final String extension() {
        return extension;
    }

    /** The name users write in BACKUP_COMPRESSION. */
    public final String name() {
        return name;
    }

    /** Compresses one block into an exactly sized array (the scratch space comes from {@link #outputBuffer}). */
    abstract byte[] compressBlock(byte[] data, int length, int level) throws IOException;

    private static final ThreadLocal<byte[]> OUTPUT = ThreadLocal.withInitial(() -> new byte[0]);

    /** This worker thread's scratch output buffer, at least {@code size} bytes: reused from block to block. */
    static byte[] outputBuffer(int size) {
        byte[] buffer = OUTPUT.get();
        if (buffer.length < size) {
            buffer = new byte[size];
            OUTPUT.set(buffer);
        }
        return buffer;
    }

    /** A larger scratch buffer holding what {@code full} held (for output that outgrew its estimate). */
    static byte[] growOutputBuffer(byte[] full) {
        byte[] bigger = Arrays.copyOf(full, full.length + full.length / 2 + 4096);
        OUTPUT.set(bigger);
        return bigger;
    }

    /** A stream that inflates {@code compressed} as it is read. */
    public abstract InputStream decompress(InputStream compressed) throws IOException;

    /** A stream of the compressed form of {@code raw}, produced as it is read. Closing it closes {@code raw}. */
    public BlockCompressingInputStream compress(InputStream raw) {
        final int chosen = level;
        return new BlockCompressingInputStream(raw, workers(), threads, BLOCK, (data, length) -> compressBlock(data, length, chosen));
    }

    private synchronized ExecutorService workers() {
        if (workers == null) {
            AtomicInteger n = new AtomicInteger();
            workers = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "pg-backup-" + name() + "-" + n.incrementAndGet());
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

    /** Compression threads (BACKUP_COMPRESSION_THREADS: its range is its declaration's); 0 = one per core. */
    public void setThreads(int threads) {
        this.threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    public int getLevel() {
        return level;
    }

    /**
     * BACKUP_COMPRESSION_LEVEL; empty keeps this compression's default. Its range is checked at start, before any bean
     * is made: 1..19 by its declaration, gzip's 1..9 by SettingsCheck when gzip is the compression (both beans are
     * given the level; only the one BACKUP_COMPRESSION names compresses).
     */
    public void setLevel(String level) {
        if (level != null && !level.isBlank()) {
            this.level = Integer.parseInt(level.strip());
        }
    }

    @Override
    public String toString() {
        return name() + "(level " + level + ", " + threads + " threads)";
    }
}
