package io.pgbackup.streams;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream whose one real read is {@link #read(byte[], int, int)}: the single-byte {@link #read()} goes through
 * it (and waits past reads that return 0), so a subclass writes its logic once.
 */
public abstract class BulkInputStream extends InputStream {

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] buffer, int offset, int length) throws IOException;
}
