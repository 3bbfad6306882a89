package io.pgbackup.restore;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import io.pgbackup.storage.ChunkHashes;
import io.pgbackup.streams.BulkInputStream;

/**
 * A stored object served only in chunks whose SHA-256 matched its manifest's ({@code chunkBytes}, {@code chunkSha256}):
 * each chunk is read whole into a buffer, hashed and compared before its first byte is handed on (to the decryptor,
 * the decompressor, and so to psql or pg_restore). A chunk that differs, is short or missing, or bytes after the last
 * chunk, end the stream with a {@link ChunkMismatchException} naming the chunk (index and byte offset) in place of
 * that chunk: nothing of it is ever read.
 * <p>
 * A reader thread downloads and checks the next chunk while the current one is read (two buffers, nothing on disk).
 * {@link #close()} stops it and closes the download; a failure of the download or of a check stops it too.
 */
public final class VerifiedChunks extends BulkInputStream {

    /** A stored chunk is not the one the manifest records. */
    public static final class ChunkMismatchException extends IOException {
        public ChunkMismatchException(String message) {
            super(message);
        }
    }

    /** What the reader thread hands over: a checked chunk, the end, or why it stopped. */
    private record Item(byte[] buffer, int length, Throwable failure) {
    }

    private static final Item END = new Item(null, 0, null);

    private final InputStream stored;
    private final String key;
    private final int chunkBytes;
    private final List<String> sha256;
    private final Long objectBytes;
    /** Which stored objects a range of bytes lies in (a backup of several objects: {@link ContinuedObjects}). */
    private final java.util.function.BiFunction<Long, Long, String> place;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(2);
    /** Two chunks and the end (or a failure): the reader never blocks on it. */
    private final BlockingQueue<Item> filled = new ArrayBlockingQueue<>(3);
    private Thread reader;
    private Item current;
    private int position;
    private boolean ended;
    private volatile boolean closed;

    /**
     * @param chunkBytes  the manifest's chunk size (checked: at most {@link ChunkHashes#MAX_CHUNK_BYTES})
     * @param sha256      the manifest's chunk hashes, in order
     * @param objectBytes the object's size the manifest records (the chunk count must fit it), or null
     * @throws ChunkMismatchException when the manifest's chunk fields cannot describe an object
     */
    public VerifiedChunks(InputStream stored, String key, long chunkBytes, List<String> sha256, Long objectBytes)
            throws ChunkMismatchException {
        if (chunkBytes < 1 || chunkBytes > ChunkHashes.MAX_CHUNK_BYTES) {
            throw new ChunkMismatchException("the manifest of " + key + " records chunks of " + chunkBytes
                    + " bytes; pg-backup reads chunks of 1 to " + ChunkHashes.MAX_CHUNK_BYTES + " bytes (the cap)");
        }
        if (sha256 == null || sha256.stream().anyMatch(h -> h == null || !h.matches("[0-9a-fA-F]{64}"))) {
            throw new ChunkMismatchException("the manifest of " + key + " has a chunk SHA-256 that is not 64 hex digits");
        }
        if (objectBytes != null && (objectBytes + chunkBytes - 1) / chunkBytes != sha256.size()) {
            throw new ChunkMismatchException("the manifest of " + key + " records " + sha256.size() + " chunk hashes of "
                    + chunkBytes + " bytes for an object of " + objectBytes + " bytes");
        }
        this.stored = stored;
        this.key = key;
        this.chunkBytes = (int) chunkBytes;
        this.sha256 = List.copyOf(sha256);
        this.objectBytes = objectBytes;
        this.place = stored instanceof ContinuedObjects objects ? objects::place : (from, to) -> "";
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (nothingAsked(closed, length)) {
            return 0;
        }
        while (current == null || position == current.length()) {
            if (ended) {
                return -1;
            }
            next();
        }
        int n = Math.min(length, current.length() - position);
        System.arraycopy(current.buffer(), position, buffer, offset, n);
        position += n;
        return n;
    }

    /** Gives the used buffer back to the reader and takes the next checked chunk (or the end, or the failure). */
    private void next() throws IOException {
        if (reader == null) {
            free.add(new byte[chunkBytes]);
            free.add(new byte[chunkBytes]);
            reader = new Thread(this::readChunks, "pg-backup-chunk-reader");
            reader.setDaemon(true);
            reader.start();
        } else if (current != null) {
            free.add(current.buffer());
        }
        current = null;
        position = 0;
        Item item;
        try {
            item = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading " + key);
        }
        if (item == END) {
            ended = true;
        } else if (item.failure() != null) {
            filled.add(item); // every later read fails the same way
            if (item.failure() instanceof IOException e) {
                throw e instanceof ChunkMismatchException ? new ChunkMismatchException(e.getMessage()) : new IOException(e.getMessage(), e);
            }
            throw new IOException(item.failure().getMessage(), item.failure());
        } else {
            current = item;
        }
    }

    /** The reader thread: each chunk read whole, hashed, compared, then handed over. */
    private void readChunks() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (int index = 0; index < sha256.size(); index++) {
                byte[] buffer = free.take();
                long offset = (long) index * chunkBytes;
                int n = stored.readNBytes(buffer, 0, chunkBytes);
                boolean last = index == sha256.size() - 1;
                if (n == 0 || !last && n < chunkBytes || last && objectBytes != null && n != objectBytes - offset) {
                    long expected = last && objectBytes != null ? objectBytes - offset : chunkBytes;
                    throw new ChunkMismatchException("stored object " + key + " differs from its manifest in chunk " + index
                            + " of " + sha256.size() + " (at byte " + offset + place.apply(offset, offset + expected - 1)
                            + "): it has " + n + " bytes there, " + expected
                            + " expected (cut short or replaced); nothing of that chunk was used");
                }
                digest.update(buffer, 0, n);
                String actual = HexFormat.of().formatHex(digest.digest());
                if (!actual.equalsIgnoreCase(sha256.get(index))) {
                    throw new ChunkMismatchException("stored object " + key + " differs from its manifest in chunk " + index
                            + " of " + sha256.size() + " (bytes " + offset + " to " + (offset + n - 1)
                            + place.apply(offset, offset + n - 1) + "): SHA-256 "
                            + actual + ", manifest " + sha256.get(index).toLowerCase(java.util.Locale.ROOT)
                            + "; nothing of that chunk was used");
                }
                if (closed) {
                    return;
                }
                filled.add(new Item(buffer, n, null));
            }
            if (stored.read() >= 0) {
                long end = (long) sha256.size() * chunkBytes;
                throw new ChunkMismatchException("stored object " + key + " has bytes after its last recorded chunk (chunk "
                        + sha256.size() + ", at byte " + (objectBytes == null ? end : objectBytes)
                        + "): it is longer than its manifest records");
            }
            filled.add(END);
        } catch (InterruptedException e) {
            // closed: nothing waits for more
        } catch (Throwable e) {
            if (!closed) {
                filled.add(new Item(null, 0, e));
            }
        }
    }

    /** Stops the reader thread (waiting for it) and closes the download. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stored.close(); // unblocks a reader waiting on the network
        } finally {
            Thread running = reader;
            if (running != null) {
                running.interrupt();
                try {
                    running.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            free.clear();
            filled.clear();
            current = null;
        }
    }

    /** Whether the reader thread is running (for tests). */
    boolean readerAlive() {
        return reader != null && reader.isAlive();
    }

}
