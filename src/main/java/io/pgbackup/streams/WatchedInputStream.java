package io.pgbackup.streams;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream passed on unchanged while a subclass watches it go by: each chunk read ({@link #chunk}), the end, on every
 * read that meets it ({@link #atEnd}, which may throw in place of the end), and a failed read of the stream beneath,
 * told again as the subclass likes ({@link #failed}). Single-byte reads go through the bulk read, so each hook sees
 * every byte.
 */
public abstract class WatchedInputStream extends FilterInputStream {

    protected WatchedInputStream(InputStream in) {
        super(in);
    }

    @Override
    public final int read() throws IOException {
        return BulkInputStream.readOne(this);
    }

    @Override
    public final int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        if (n < 0) {
            atEnd();
        } else {
            chunk(buffer, offset, n);
        }
        return n;
    }

    /** The bytes {@code buffer[offset, offset + length)} just read ({@code length} may be 0). Nothing by default. */
    protected void chunk(byte[] buffer, int offset, int length) throws IOException {
    }

    /** A read met the end of the stream (called again on each such read). Nothing by default. */
    protected void atEnd() throws IOException {
    }

    /**
     * What to throw when the read beneath failed with {@code e} (an IOException or a RuntimeException): by default
     * {@code e} itself, unchanged.
     */
    protected IOException failed(Exception e) throws IOException {
        if (e instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        return (IOException) e;
    }
}
