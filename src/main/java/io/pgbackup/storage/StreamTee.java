package io.pgbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.pgbackup.streams.BlockSequenceInputStream;

/**
 * One stream read once and given to two readers (the primary store's upload and the copy's), block by block, in
 * memory: each reader has a queue of at most {@code blocks} blocks, and the source is read only as fast as the slower
 * reader takes them (nothing is held beyond the queues, nothing goes to disk). A reader that stops early
 * ({@link InputStream#close}: its upload failed) is dropped and the other goes on to the end. A failure of the source
 * (pg_dump failed, the encryption failed) reaches both readers as the same exception, so both uploads abort.
 * {@link #run} is the pump: it runs on a thread of its own until the source ends or both readers stopped.
 */
public final class StreamTee implements Runnable {

    static final int BLOCK = 1024 * 1024;
    private static final Object END = new Object();

    private final InputStream source;
    private final Branch first;
    private final Branch second;

    public StreamTee(InputStream source, int blocks) {
        this.source = source;
        this.first = new Branch(blocks);
        this.second = new Branch(blocks);
    }

    public InputStream first() {
        return first;
    }

    public InputStream second() {
        return second;
    }

    @Override
    public void run() {
        List<Branch> branches = List.of(first, second);
        Object last = END;
        try (InputStream in = source) {
            while (!first.closed || !second.closed) {
                byte[] block = in.readNBytes(BLOCK);
                if (block.length == 0) {
                    break;
                }
                for (Branch branch : branches) {
                    branch.put(block);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            last = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            last = new IOException("the copy of the backup stream was interrupted", e);
        }
        for (Branch branch : branches) {
            try {
                branch.put(last);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One reader's side: blocks in order, then the end, or the source's failure. */
    private static final class Branch extends BlockSequenceInputStream {
        private final BlockingQueue<Object> queue;
        private volatile boolean closed;
        private Object ended;

        Branch(int blocks) {
            this.queue = new ArrayBlockingQueue<>(Math.max(1, blocks));
        }

        /** Waits for room, unless this reader stopped (then the item is dropped). */
        void put(Object item) throws InterruptedException {
            while (!closed) {
                if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return length == 0 ? 0 : readBlocks(buffer, offset, length);
        }

        /** The next block; null at the end; the source's failure thrown as it was. */
        @Override
        protected byte[] nextBlock() throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            Object item = ended;
            if (item == null) {
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the backup stream");
                }
            }
            if (item instanceof byte[] block) {
                return block;
            }
            ended = item;
            if (item instanceof IOException e) {
                throw e;
            }
            if (item instanceof RuntimeException e) {
                throw e;
            }
            if (item instanceof Error e) {
                throw e;
            }
            return null;
        }

        @Override
        public void close() {
            closed = true;
            queue.clear();
        }
    }
}
