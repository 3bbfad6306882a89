package io.pgbackup.compress;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

import io.pgbackup.streams.BulkInputStream;

/**
 * Reads a gzip file of one or more members (RFC 1952) to its real end, whatever the source's read sizes and
 * {@code available()} say. Java 17's {@code GZIPInputStream} decides whether another member follows by asking the
 * source's {@code available()}; a network stream that has nothing buffered at a member boundary makes it end the
 * stream early, without an error (JDK-8322256, fixed in Java 23). pg-backup writes a member every 4 MiB, so a
 * restore through it could load part of a dump and call it whole.
 * <p>
 * This reader inflates member after member until the source itself ends. Each member's CRC-32 and size are checked;
 * a stream that ends inside a member is truncated, and bytes after the last member that are not another member are
 * an error, never silently ignored.
 */
public final class GzipMembersInputStream extends BulkInputStream {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xE0;

    private final InputStream source;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] buffer;
    private int position;
    private int limit;
    /** Compressed bytes consumed before the buffer's start, for error messages. */
    private long consumedBefore;
    private long members;
    private long memberBytes;
    private boolean inMember;
    private boolean ended;
    private boolean closed;

    public GzipMembersInputStream(InputStream source) {
        this(source, 64 * 1024);
    }

    public GzipMembersInputStream(InputStream source, int bufferSize) {
        this.source = source;
        this.buffer = new byte[bufferSize];
    }

    /** Members read completely so far. */
    public long members() {
        return members;
    }


    @Override
    public int read(byte[] out, int offset, int length) throws IOException {
        if (nothingAsked(closed, length)) {
            return 0;
        }
        while (!ended) {
            if (!inMember) {
                if (!startMember()) {
                    ended = true;
                    break;
                }
            }
            int n;
            try {
                n = inflater.inflate(out, offset, length);
            } catch (DataFormatException e) {
                throw new ZipException("gzip member " + (members + 1) + " is corrupt (" + e.getMessage() + ") near byte "
                        + compressedOffset());
            }
            if (n > 0) {
                crc.update(out, offset, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                position = limit - inflater.getRemaining();
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("gzip member " + (members + 1) + " needs a preset dictionary: not a gzip file");
            } else if (inflater.needsInput()) {
                position = limit;
                if (!fill()) {
                    throw new EOFException("the gzip stream is truncated: it ends inside member " + (members + 1)
                            + " after " + compressedOffset() + " bytes");
                }
                inflater.setInput(buffer, position, limit - position);
            } else {
                throw new ZipException("gzip member " + (members + 1) + " cannot be inflated near byte " + compressedOffset());
            }
        }
        return -1;
    }

    /** Reads the next member's header; false at the clean end of the source (after at least one member). */
    private boolean startMember() throws IOException {
        int first = nextByteOrEnd();
        if (first < 0) {
            if (members == 0) {
                throw new EOFException("the object is empty: not a gzip file");
            }
            return false;
        }
        long at = compressedOffset() - 1;
        int second = nextByteOrEnd();
        if (first != 0x1f || second != 0x8b) {
            throw new ZipException(members == 0 ? "not a gzip file (no gzip header at its start)"
                    : "unexpected bytes after gzip member " + members + " at byte " + at
                            + ": the object holds something other than gzip members after its end");
        }
        int method = nextByte();
        if (method != 8) {
            throw new ZipException("gzip member " + (members + 1) + " uses compression method " + method + ", not deflate");
        }
        int flags = nextByte();
        if ((flags & RESERVED) != 0) {
            throw new ZipException("gzip member " + (members + 1) + " has reserved header flags set");
        }
        skip(6); // modification time, extra flags, operating system
        if ((flags & FEXTRA) != 0) {
            int extraLength = nextByte() | nextByte() << 8;
            skip(extraLength);
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FHCRC) != 0) {
            skip(2);
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inflater.setInput(buffer, position, limit - position);
        inMember = true;
        return true;
    }

    /** After a member's deflate data: its CRC-32 and size (mod 2^32) must match what was inflated. */
    private void endMember() throws IOException {
        long expectedCrc = readIntLE();
        long expectedSize = readIntLE();
        if (expectedCrc != crc.getValue()) {
            throw new ZipException("gzip member " + (members + 1) + " fails its CRC-32 check: the data is corrupt");
        }
        if (expectedSize != (memberBytes & 0xffffffffL)) {
            throw new ZipException("gzip member " + (members + 1) + " inflates to " + memberBytes
                    + " bytes, its trailer says " + expectedSize);
        }
        members++;
        inMember = false;
    }

    private long readIntLE() throws IOException {
        return (long) nextByte() | (long) nextByte() << 8 | (long) nextByte() << 16 | (long) nextByte() << 24;
    }

    private void skip(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            nextByte();
        }
    }

    private void skipZeroTerminated() throws IOException {
        while (nextByte() != 0) {
            // a file name or comment: not needed
        }
    }

    private int nextByte() throws IOException {
        int b = nextByteOrEnd();
        if (b < 0) {
            throw new EOFException("the gzip stream is truncated: it ends inside the header or trailer of member "
                    + (members + 1) + " after " + compressedOffset() + " bytes");
        }
        return b;
    }

    private int nextByteOrEnd() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    /** Refills the empty buffer; false when the source has ended. Reads until at least one byte or the end. */
    private boolean fill() throws IOException {
        consumedBefore += limit;
        position = 0;
        limit = 0;
        int n = 0;
        for (int attempt = 0; n == 0 && attempt < 1000; attempt++) {
            n = source.read(buffer, 0, buffer.length);
        }
        if (n == 0) {
            throw new IOException("the source returned no bytes 1000 times in a row");
        }
        if (n < 0) {
            return false;
        }
        limit = n;
        return true;
    }

    private long compressedOffset() {
        return consumedBefore + position;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            inflater.end();
            source.close();
        }
    }
}
