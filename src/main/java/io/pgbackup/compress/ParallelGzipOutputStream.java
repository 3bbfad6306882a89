package io.pgbackup.compress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Gzip on several cores: the input is cut into blocks, each block is compressed into a gzip member of its own by a
 * worker, and the members are written in order. Concatenated members are one valid gzip file (RFC 1952; gunzip,
 * zcat and Java's GZIPInputStream read them whole). At most {@code 2 x threads} blocks are in flight, so memory
 * stays bounded whatever the input size. A block of 1 MiB costs well under 1% of compression ratio.
 */
public final class ParallelGzipOutputStream extends OutputStream {

    private final OutputStream out;
    private final ExecutorService workers;
    private final int level;
    private final int maxInFlight;
    private final Deque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private byte[] block;
    private int filled;
    private boolean closed;

    public ParallelGzipOutputStream(OutputStream out, ExecutorService workers, int threads, int level, int blockSize) {
        this.out = out;
        this.workers = workers;
        this.level = level;
        this.maxInFlight = Math.max(2, threads * 2);
        this.block = new byte[blockSize];
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == block.length) {
            submit();
        }
        block[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == block.length) {
                submit();
            }
            int n = Math.min(len, block.length - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void submit() throws IOException {
        final byte[] data = block;
        final int length = filled;
        block = new byte[data.length];
        filled = 0;
        inFlight.addLast(workers.submit(() -> compress(data, length, level)));
        while (inFlight.size() >= maxInFlight) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        Future<byte[]> oldest = inFlight.removeFirst();
        try {
            out.write(oldest.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            throw new IOException("compression failed: " + e.getCause(), e.getCause());
        }
    }

    static byte[] compress(byte[] data, int length, int level) throws IOException {
        ByteArrayOutputStream member = new ByteArrayOutputStream(Math.max(64, length / 2));
        try (GZIPOutputStream gzip = new GZIPOutputStream(member, 64 * 1024) {
            {
                def.setLevel(level == 0 ? Deflater.DEFAULT_COMPRESSION : level);
            }
        }) {
            gzip.write(data, 0, length);
        }
        return member.toByteArray();
    }

    /** Compresses what is left and writes every member; the underlying stream stays open. */
    public void finish() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (filled > 0 || inFlight.isEmpty()) {
            submit();
        }
        while (!inFlight.isEmpty()) {
            writeOldest();
        }
        out.flush();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Drops what is in flight without writing it: the input failed, nothing more is wanted. */
    public void abort() {
        closed = true;
        inFlight.forEach(f -> f.cancel(true));
        inFlight.clear();
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}
