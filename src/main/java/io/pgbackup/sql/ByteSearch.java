package io.pgbackup.sql;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The first occurrence of one byte in a range, eight bytes a step (SWAR): how the readers skip table data and bodies. */
public final class ByteSearch {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private ByteSearch() {
    }

    /** The index of the first {@code value} in {@code buffer[from, to)}, or -1. */
    public static int indexOf(byte[] buffer, int from, int to, byte value) {
        long pattern = (value & 0xffL) * ONES;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = (long) LONGS.get(buffer, i) ^ pattern;
            // a byte of word is zero where the input had value; the lowest flagged byte is the first one (exact)
            long zeros = (word - ONES) & ~word & HIGH_BITS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buffer[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
