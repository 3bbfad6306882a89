package io.pgbackup.sql;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import io.pgbackup.streams.BulkInputStream;

/**
 * A SQL script with some of its statements (and backslash command lines between statements) left out, whole, as it
 * streams: {@link SqlLexer} finds where each starts and ends, and {@link #decide} says, from its first tokens, whether
 * it goes. A statement is held only until it is decided, and at most {@value #HOLD_CAP} bytes: one still undecided
 * then cannot be one of the short statements a filter leaves out, and passes in pieces. Everything else (the space and
 * comments between statements, COPY data, statements kept) passes as it arrives, so memory stays bounded for any input
 * (a row, a string or a function body of any length). A left-out statement takes the line break right after it along.
 */
public abstract class StatementFilter extends BulkInputStream {

    /** What becomes of the statement being read. */
    public enum Decision { KEEP, DROP, UNDECIDED }

    /** The most bytes of one statement held for its decision. */
    public static final int HOLD_CAP = 256 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final int HOLD = 0;
    private static final int PASS = 1;
    private static final int DROP = 2;

    private final InputStream in;
    private final SqlLexer lexer = new SqlLexer();
    private final byte[] chunk = new byte[CHUNK];
    private int chunkPos;
    private int chunkEnd;
    private byte[] held = new byte[8 * 1024];
    private int heldLength;
    private byte[] out;
    private int outPos;
    private int outEnd;
    private boolean open;
    private boolean meta;
    private int mode;
    private boolean swallowNewline;
    private boolean ended;
    private long dropped;

    protected StatementFilter(InputStream in) {
        this.in = in;
    }

    /**
     * Whether the statement being read goes ({@code meta}: a backslash command line between statements, see
     * {@link SqlLexer#metaCommand()}). {@code complete}: it has ended (or the input did), so UNDECIDED keeps it.
     * Called until it answers KEEP or DROP.
     */
    protected abstract Decision decide(SqlLexer lexer, boolean meta, boolean complete);

    /** How many statements (not counting backslash command lines) were left out so far. */
    public long dropped() {
        return dropped;
    }

    /** The bytes held for a statement's decision (bounded whatever the input). */
    public int heldCapacity() {
        return held.length;
    }

    /**
     * As much as fits: a read returns whole buffers, not a statement each. Once some bytes are in hand it takes more
     * only from what is already read, never waiting on the source for them.
     */
    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int filled = 0;
        while (filled < length) {
            if (outPos < outEnd) {
                int n = Math.min(length - filled, outEnd - outPos);
                System.arraycopy(out, outPos, buffer, offset + filled, n);
                outPos += n;
                filled += n;
            } else if (chunkPos < chunkEnd) {
                step();
            } else if (filled > 0 || ended) {
                break;
            } else {
                int n = in.read(chunk, 0, chunk.length);
                chunkPos = 0;
                chunkEnd = Math.max(n, 0);
                if (n < 0) {
                    ended = true;
                    if (open && mode == HOLD) {
                        close(decide(lexer, meta, true));
                    }
                }
            }
        }
        return filled == 0 ? -1 : filled;
    }

    /** Reads up to the lexer's next event; the bytes go out, are held, or are left out. */
    private void step() {
        int start = chunkPos;
        int end = lexer.scan(chunk, start, chunkEnd);
        chunkPos = end;
        SqlLexer.Event event = lexer.event();
        if (open) {
            if (mode == HOLD) {
                hold(start, end);
            } else if (mode == PASS) {
                emit(chunk, start, end);
            }
            boolean complete = event == SqlLexer.Event.STATEMENT_END || event == SqlLexer.Event.META_END;
            if (mode == HOLD) {
                Decision decision = decide(lexer, meta, complete);
                if (decision != Decision.UNDECIDED || complete || heldLength > HOLD_CAP) {
                    close(decision);
                }
            }
            if (complete) {
                open = false;
                swallowNewline = mode == DROP && !meta;
                dropped += swallowNewline ? 1 : 0;
            }
        } else {
            if (swallowNewline && end > start) {
                start += chunk[start] == '\n' ? 1 : 0;
                swallowNewline = false;
            }
            emit(chunk, start, end);
        }
        if (event == SqlLexer.Event.STATEMENT_START || event == SqlLexer.Event.META_START) {
            open = true;
            meta = event == SqlLexer.Event.META_START;
            mode = HOLD;
            heldLength = 0;
        }
    }

    /** The held statement decided: out (KEEP, or still undecided at the cap) or left out. */
    private void close(Decision decision) {
        if (decision == Decision.DROP) {
            mode = DROP;
        } else {
            mode = PASS;
            emit(held, 0, heldLength);
        }
        heldLength = 0;
    }

    private void hold(int start, int end) {
        int n = end - start;
        if (heldLength + n > held.length) {
            held = Arrays.copyOf(held, Math.max(held.length * 2, heldLength + n));
        }
        System.arraycopy(chunk, start, held, heldLength, n);
        heldLength += n;
    }

    /** Only ever called with nothing left to hand out. */
    private void emit(byte[] source, int from, int to) {
        out = source;
        outPos = from;
        outEnd = to;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
