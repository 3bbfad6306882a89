package io.pgbackup.dump;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;


/**
 * {@link DumpStatistics} for a custom-format archive ({@code BACKUP_FORMAT=custom}: {@code pg_dump --format=custom
 * --compress=0}) as it streams past, without holding it: the header and table of contents ({@link ArchiveToc}, held
 * until whole: metadata only), then every data block followed through its chunks. The rows of a table are the lines
 * of its COPY data (one a row in COPY text format, before pg_dump's closing {@code \.}). The archive is complete when
 * it ends right after a block and every entry that has data had its block: else {@link IncompleteDumpException} at its
 * end, so an archive cut short is never stored, whatever pg_dump's exit code said.
 */
public final class ArchiveStatistics extends DumpWatcher {

    private static final int BLOCK_DATA = 1;
    private static final int BLOCK_BLOBS = 3;
    /** pg_dump ends each table's COPY data with this line and two empty ones. */
    private static final byte[] COPY_END = {'\\', '.', '\n', '\n', '\n'};

    private enum State { HEAD, BLOCK_TYPE, INT, CHUNK }

    private enum IntFor { DUMP_ID, CHUNK_LENGTH, BLOB_OID }

    /**
     * The most of the archive's head (header and table of contents) held while it arrives: a larger one fails the
     * backup with one line naming the cap (the backup's heap is bounded; definitions are part of the head).
     */
    public static final int MAX_HEAD_BYTES = 64 << 20;

    private State state = State.HEAD;
    private byte[] head = new byte[16 * 1024];
    private int headLength;
    private int nextAttempt = 4096;
    private ArchiveToc toc;
    private Map<Integer, ArchiveToc.Entry> entries;
    private final Set<Integer> pendingData = new HashSet<>();

    private IntFor intFor;
    private int intRead;
    private long intValue;
    private int intSign;
    private int blockType;
    private ArchiveToc.Entry block;
    private long chunkLeft;
    private long blockNewlines;
    private final byte[] tail = new byte[COPY_END.length];
    private int tailLength;

    private boolean complete;

    public ArchiveStatistics(InputStream archive) {
        super(archive);
    }

    @Override
    void scan(byte[] buffer, int offset, int length) throws IOException {
        int i = offset;
        int end = offset + length;
        if (state == State.HEAD) {
            if (headLength + length > MAX_HEAD_BYTES) {
                // what fits may end the table of contents: the rest of this buffer is then the first blocks'
                int fits = MAX_HEAD_BYTES - headLength;
                head = Arrays.copyOf(head, MAX_HEAD_BYTES);
                System.arraycopy(buffer, offset, head, headLength, fits);
                headLength += fits;
                if (readHead()) {
                    afterHead();
                    blocks(buffer, offset + fits, end);
                    return;
                }
                throw new IncompleteDumpException("pg_dump archive's table of contents is larger than "
                        + (MAX_HEAD_BYTES >> 20) + " MiB, the cap pg-backup reads (" + entriesNote() + "); back this database"
                        + " up with BACKUP_FORMAT=plain, whose statements are read in pieces");
            }
            if (headLength + length > head.length) {
                head = Arrays.copyOf(head, Math.min(MAX_HEAD_BYTES, Math.max(head.length * 2, headLength + length)));
            }
            System.arraycopy(buffer, offset, head, headLength, length);
            headLength += length;
            if (headLength < nextAttempt) {
                return;
            }
            if (readHead()) {
                afterHead();
            }
            return;
        }
        blocks(buffer, i, end);
    }

    private String entriesNote() {
        return headLength + " bytes arrived and its end was not among them";
    }

    /** The bytes that arrived after the table of contents are the first blocks'. */
    private void afterHead() throws IOException {
        byte[] after = Arrays.copyOfRange(head, (int) toc.length(), headLength);
        head = null;
        blocks(after, 0, after.length);
    }

    /** Tries to read the header and table of contents from what arrived; false when more is needed. */
    private boolean readHead() throws IOException {
        try {
            toc = ArchiveToc.read(new ByteArrayInputStream(head, 0, headLength));
        } catch (EOFException incomplete) {
            // the table of contents is longer: try again when twice as much has arrived (linear work in total)
            nextAttempt = (int) Math.min(MAX_HEAD_BYTES, headLength * 2L);
            return false;
        } catch (ArchiveToc.TocTooLargeException e) {
            throw new IncompleteDumpException("pg_dump archive: " + e.getMessage());
        } catch (IOException e) {
            throw new IncompleteDumpException("pg_dump output is not a readable custom-format archive: " + e.getMessage());
        }
        entries = toc.byId();
        for (ArchiveToc.Entry entry : toc.entries()) {
            if (entry.hasData()) {
                pendingData.add(entry.dumpId());
            }
        }
        state = State.BLOCK_TYPE;
        return true;
    }

    private void blocks(byte[] buffer, int from, int to) throws IOException {
        int i = from;
        while (i < to) {
            switch (state) {
                case BLOCK_TYPE -> {
                    blockType = buffer[i++] & 0xff;
                    if (blockType != BLOCK_DATA && blockType != BLOCK_BLOBS) {
                        throw new IncompleteDumpException("pg_dump archive has a block of unknown type " + blockType
                                + " after " + (bytes() - (to - i)) + " bytes: it is damaged");
                    }
                    startInt(IntFor.DUMP_ID);
                }
                case INT -> {
                    int b = buffer[i++] & 0xff;
                    if (intRead == 0) {
                        intSign = b;
                    } else {
                        intValue |= (long) b << (8 * (intRead - 1));
                    }
                    if (++intRead == toc.intSize() + 1) {
                        integer(intSign == 0 ? intValue : -intValue);
                    }
                }
                case CHUNK -> {
                    int n = (int) Math.min(chunkLeft, to - i);
                    if (blockType == BLOCK_DATA) {
                        countLines(buffer, i, i + n);
                    }
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        startInt(IntFor.CHUNK_LENGTH);
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void startInt(IntFor purpose) {
        state = State.INT;
        intFor = purpose;
        intRead = 0;
        intValue = 0;
    }

    private void integer(long value) throws IOException {
        switch (intFor) {
            case DUMP_ID -> {
                block = entries.get((int) value);
                if (block == null || !pendingData.remove(block.dumpId())) {
                    throw new IncompleteDumpException("pg_dump archive has a data block for entry " + value
                            + " that its table of contents does not announce: it is damaged");
                }
                blockNewlines = 0;
                tailLength = 0;
                startInt(blockType == BLOCK_BLOBS ? IntFor.BLOB_OID : IntFor.CHUNK_LENGTH);
            }
            case CHUNK_LENGTH -> {
                if (value < 0) {
                    throw new IncompleteDumpException("pg_dump archive has a chunk of " + value + " bytes: it is damaged");
                }
                if (value > 0) {
                    state = State.CHUNK;
                    chunkLeft = value;
                } else if (blockType == BLOCK_BLOBS) {
                    startInt(IntFor.BLOB_OID); // this large object ended; the next one, or 0
                } else {
                    endOfDataBlock();
                    state = State.BLOCK_TYPE;
                }
            }
            case BLOB_OID -> {
                if (value == 0) {
                    state = State.BLOCK_TYPE;
                } else {
                    startInt(IntFor.CHUNK_LENGTH);
                }
            }
            default -> throw new IllegalStateException(intFor.name());
        }
    }

    private void countLines(byte[] buffer, int from, int to) {
        int i = from;
        while (true) {
            int newline = DumpStatistics.indexOfNewline(buffer, i, to);
            if (newline < 0) {
                break;
            }
            blockNewlines++;
            i = newline + 1;
        }
        // the block's last bytes, to find pg_dump's closing "\." line
        int n = to - from;
        if (n >= tail.length) {
            System.arraycopy(buffer, to - tail.length, tail, 0, tail.length);
            tailLength = tail.length;
        } else {
            int keep = Math.min(tailLength, tail.length - n);
            System.arraycopy(tail, tailLength - keep, tail, 0, keep);
            System.arraycopy(buffer, from, tail, keep, n);
            tailLength = keep + n;
        }
    }

    private void endOfDataBlock() {
        String table = block.copyTable();
        if (table == null) {
            return; // data that is not COPY rows
        }
        boolean closed = tailLength == tail.length && Arrays.equals(tail, COPY_END);
        long lines = closed ? blockNewlines - 3 : blockNewlines;
        rows.merge(table, lines, Long::sum);
    }

    @Override
    void end() throws IOException {
        if (state == State.HEAD && headLength > 0 && readHead()) {
            afterHead();
        }
        if (state == State.HEAD) {
            throw new IncompleteDumpException("pg_dump output ended inside the archive's table of contents (" + bytes()
                    + " bytes): the dump is incomplete");
        }
        if (state != State.BLOCK_TYPE) {
            throw new IncompleteDumpException("pg_dump output ended inside the data of "
                    + (block == null ? "an entry" : block.desc() + " " + block.qualifiedName())
                    + ": the dump is incomplete");
        }
        if (!pendingData.isEmpty()) {
            ArchiveToc.Entry missing = entries.get(pendingData.iterator().next());
            throw new IncompleteDumpException("pg_dump output ended before the data of " + missing.desc() + " "
                    + missing.qualifiedName() + " (" + pendingData.size() + " data block(s) missing): the dump is incomplete");
        }
        complete = true;
    }

    @Override
    public boolean isComplete() {
        return complete;
    }

    @Override
    public String serverVersion() {
        return toc == null ? "" : toc.serverVersion();
    }

    @Override
    public String dumpVersion() {
        return toc == null ? "" : toc.dumpVersion();
    }
}
