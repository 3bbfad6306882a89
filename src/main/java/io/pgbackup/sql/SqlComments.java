package io.pgbackup.sql;

import java.nio.charset.StandardCharsets;

/**
 * The comments {@link SqlLexer} reads, from the byte after their opening {@code --} or {@code /*}: a line comment to
 * its line break, a block comment to the end of its nesting. A {@code --} comment between statements is kept (cut at
 * 256 bytes) for {@link SqlLexer#comment()}.
 */
final class SqlComments {

    private static final int CAP = 256;

    private final byte[] text = new byte[CAP];
    private int length;
    private boolean line;
    private boolean keep;
    private int depth;
    private byte last;

    /** {@code line}: a {@code --} comment, else a block; {@code keep}: its text is kept (between statements). */
    void open(boolean line, boolean keep) {
        this.line = line;
        this.keep = keep && line;
        length = 0;
        depth = 1;
        last = 0;
        if (this.keep) {
            text[length++] = '-';
            text[length++] = '-';
        }
    }

    /** Reads {@code buffer[from, to)} inside the comment; returns the index just past its end, or -1: not ended. */
    int scan(byte[] buffer, int from, int to) {
        for (int i = from; i < to; ) {
            byte c = buffer[i++];
            if (line) {
                if (c == '\n' || c == '\r') {
                    return i;
                }
                if (keep && length < CAP) {
                    text[length++] = c;
                }
                continue;
            }
            if (last == '*' && c == '/') {
                depth--;
                c = 0;
            } else if (last == '/' && c == '*') {
                depth++;
                c = 0;
            }
            last = c;
            if (depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the comment read last is a {@code --} comment. */
    boolean isLine() {
        return line;
    }

    /** The kept comment, from its {@code --}. */
    @Override
    public String toString() {
        return new String(text, 0, length, StandardCharsets.UTF_8);
    }
}
