package io.pgbackup.support;

import java.io.InputStream;
import java.util.Arrays;

/** A stream of {@code count} spaces, never in memory at once: input past a size cap without the memory it names. */
public final class Spaces extends InputStream {

    private long left;

    private Spaces(long count) {
        this.left = count;
    }

    public static InputStream of(long count) {
        return new Spaces(count);
    }

    @Override
    public int read() {
        return left-- > 0 ? ' ' : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (left <= 0) {
            return -1;
        }
        int n = (int) Math.min(len, left);
        Arrays.fill(b, off, off + n, (byte) ' ');
        left -= n;
        return n;
    }
}
