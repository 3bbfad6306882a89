package io.pgbackup.streams;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream whose one real read is {@link #read(byte[], int, int)}: the single-byte {@link #read()} goes through
 * it (and waits past reads that return 0), so a subclass writes its logic once. A stream that must extend another
 * class (a FilterInputStream) gets the same with {@link #readOne}.
 */
public abstract class BulkInputStream extends InputStream {

    @Override
    public final int read() throws IOException {
        return readOne(this);
    }

    @Override
    public abstract int read(byte[] buffer, int offset, int length) throws IOException;

    /**
     * The start of a bulk read: throws when the stream is {@code closed}; true when {@code length} asks for nothing (the
     * read returns 0).
     */
    protected static boolean nothingAsked(boolean closed, int length) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        return length == 0;
    }

    /** One byte read through {@code in}'s {@link InputStream#read(byte[], int, int)}, or -1 at its end. */
    public static int readOne(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = in.read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
