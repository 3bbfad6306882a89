package io.pgbackup.streams;

import java.io.IOException;

/**
 * A stream handed out block by block: a subclass gives the next whole block ({@link #nextBlock}) and this class
 * hands its bytes out over as many reads as it takes, then asks for the next.
 */
public abstract class BlockSequenceInputStream extends BulkInputStream {

    private byte[] current = new byte[0];
    private int position;

    /** The next block to hand out (an empty one is passed over), or null at the end. */
    protected abstract byte[] nextBlock() throws IOException;

    /** Up to {@code length} (> 0) bytes of the blocks in order, or -1 at the end. */
    protected final int readBlocks(byte[] buffer, int offset, int length) throws IOException {
        while (position == current.length) {
            byte[] next = nextBlock();
            if (next == null) {
                return -1;
            }
            current = next;
            position = 0;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, n);
        position += n;
        return n;
    }
}
