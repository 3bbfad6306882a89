package io.pgbackup.compress;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import io.pgbackup.streams.BlockSequenceInputStream;

/**
 * Compresses a stream on several cores as it is read: the input is cut into blocks, each block becomes a
 * self-contained compressed unit (a gzip member, a zstd frame) made by a worker, and the units are returned in
 * order. Concatenated units are one valid file for gunzip / zstd -d. Pull-based: nothing is compressed ahead of the
 * reader by more than {@code maxInFlight} blocks, so memory stays bounded whatever the input size, and the reader
 * (the upload) sets the pace. The source is read on the reader's thread; a failure of the source (pg_dump exiting
 * non-zero, a dump cut short) surfaces from {@link #read} as that exception.
 */
public final class BlockCompressingInputStream extends BlockSequenceInputStream {

    /** Compresses {@code length} bytes of {@code data} into one self-contained unit. */
    public interface BlockCompressor {
        byte[] compress(byte[] data, int length) throws IOException;
    }

    private final InputStream source;
    private final ExecutorService workers;
    private final BlockCompressor compressor;
    private final int blockSize;
    private final int maxInFlight;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    /** Source blocks whose compression is done, for the next reads: no 4 MiB array made and dropped per block. */
    private final Deque<byte[]> freeBlocks = new ArrayDeque<>();
    private boolean sourceEnded;
    private boolean submittedAny;
    private long compressedBytes;
    private boolean closed;

    public BlockCompressingInputStream(InputStream source, ExecutorService workers, int threads, int blockSize,
            BlockCompressor compressor) {
        this.source = source;
        this.workers = workers;
        this.compressor = compressor;
        this.blockSize = blockSize;
        this.maxInFlight = Math.max(2, threads * 2);
    }


    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (nothingAsked(closed, length)) {
            return 0;
        }
        return readBlocks(buffer, offset, length);
    }

    /** The oldest compressed unit, once done, with the source read ahead to keep the workers busy; null at the end. */
    @Override
    protected byte[] nextBlock() throws IOException {
        while (!sourceEnded && inFlight.size() < maxInFlight) {
            byte[] block = freeBlocks.isEmpty() ? new byte[blockSize] : freeBlocks.pop();
            int filled = source.readNBytes(block, 0, blockSize);
            if (filled < blockSize) {
                // readNBytes met the end of the source: pg_dump's exit code and the dump trailer were checked there
                sourceEnded = true;
            }
            if (filled > 0 || !submittedAny) {
                submittedAny = true;
                final int length = filled;
                inFlight.addLast(new InFlight(block, workers.submit(() -> compressor.compress(block, length))));
            }
        }
        if (inFlight.isEmpty()) {
            return null;
        }
        InFlight oldest = inFlight.removeFirst();
        byte[] unit;
        try {
            unit = oldest.unit.get();
            freeBlocks.push(oldest.block);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            throw new IOException("compression failed: " + e.getCause(), e.getCause());
        }
        compressedBytes += unit.length;
        return unit;
    }

    /** Compressed bytes handed out so far. */
    public long compressedBytes() {
        return compressedBytes;
    }

    /** Drops the blocks in flight and closes the source (a dump still running is stopped). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.forEach(f -> f.unit.cancel(true));
        inFlight.clear();
        source.close();
    }

    /** A source block and the compression of it; the block is reused once the compression is done. */
    private record InFlight(byte[] block, Future<byte[]> unit) {
    }
}
