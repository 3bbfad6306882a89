package io.pgbackup.sql;

import java.nio.charset.StandardCharsets;

/**
 * The text of the token {@link SqlLexer} is reading (a word, a number, a quoted identifier with its quotes, a meta
 * command line), kept up to {@link StatementTokens#RAW_CAP} bytes; its length counts on past the cap.
 */
final class TokenText {

    private final byte[] bytes = new byte[StatementTokens.RAW_CAP];
    private int length;

    void clear() {
        length = 0;
    }

    void append(byte c) {
        if (length < bytes.length) {
            bytes[length] = c;
        }
        length = length < Integer.MAX_VALUE ? length + 1 : length;
    }

    void append(byte[] buffer, int from, int to) {
        int n = Math.min(to - from, Math.max(0, bytes.length - length));
        System.arraycopy(buffer, from, bytes, length, n);
        length = (int) Math.min(Integer.MAX_VALUE, (long) length + (to - from));
    }

    /** The bytes kept (the first {@link #length()} of them, at most the cap). */
    byte[] bytes() {
        return bytes;
    }

    /** The token's whole length, also past the cap. */
    int length() {
        return length;
    }

    /** Whether the token is the one byte {@code E} or {@code e} (before a quote: an E'...' string). */
    boolean isE() {
        return length == 1 && (bytes[0] | 0x20) == 'e';
    }

    @Override
    public String toString() {
        return new String(bytes, 0, Math.min(length, bytes.length), StandardCharsets.UTF_8);
    }
}
