package io.pgbackup.sql;

import java.util.Arrays;

/**
 * The quoted parts of a statement, read by {@link SqlLexer} from the byte after the opening quote: string literals
 * ({@code ''} inside; {@code E''} with backslash escapes), quoted identifiers ({@code ""} inside, line breaks allowed)
 * and dollar quotes ({@code $tag$...$tag$}; {@code $1} or an operator's {@code $} opens none). The text of a string
 * is skipped; a quoted identifier's is kept in the token text.
 */
final class QuotedText {

    /** {@link #ended()}: the quote goes on past what was read. */
    static final byte OPEN = -1;
    /** {@link #ended()}: the {@code $} opened no dollar quote. */
    static final byte NO_QUOTE = 0;

    private static final int STRING = 0;
    private static final int STRING_QUOTE = 1;
    private static final int ESCAPE = 2;
    private static final int IDENTIFIER = 3;
    private static final int IDENTIFIER_QUOTE = 4;
    private static final int DOLLAR_OPEN = 5;
    private static final int DOLLAR = 6;
    private static final int DOLLAR_CLOSE = 7;

    private static final int TAG_CAP = 4096;

    private int state;
    private byte ended = OPEN;
    private boolean escapes;
    private byte[] tag = new byte[16];
    private int tagLength;
    private int tagMatched;

    /** After a {@code '}; {@code escapes}: an {@code E'} string. */
    void openString(boolean escapes) {
        open(STRING);
        this.escapes = escapes;
    }

    /** After a {@code "} (the token text holds it). */
    void openIdentifier() {
        open(IDENTIFIER);
    }

    /** After a {@code $}: a dollar quote's tag may follow. */
    void openDollar() {
        open(DOLLAR_OPEN);
        tagLength = 0;
    }

    private void open(int quote) {
        state = quote;
        ended = OPEN;
    }

    /**
     * Reads {@code buffer[from, to)} inside the quote. Returns {@code to} while the quote goes on ({@link #ended()}
     * {@link #OPEN}); else the index of the first byte after it, and {@link #ended()} tells what it was.
     */
    int scan(byte[] buffer, int from, int to, TokenText text) {
        int i = from;
        while (i < to) {
            byte c = buffer[i];
            switch (state) {
                case STRING -> {
                    if (escapes) {
                        state = c == '\\' ? ESCAPE : c == '\'' ? STRING_QUOTE : STRING;
                        i++;
                    } else {
                        int quote = ByteSearch.indexOf(buffer, i, to, (byte) '\'');
                        if (quote < 0) {
                            return to;
                        }
                        i = quote + 1;
                        state = STRING_QUOTE;
                    }
                }
                case ESCAPE -> {
                    state = STRING;
                    i++;
                }
                case STRING_QUOTE -> {
                    if (c != '\'') {
                        return end(StatementTokens.STRING, i);
                    }
                    state = STRING; // '' inside the string
                    i++;
                }
                case IDENTIFIER -> {
                    int quote = ByteSearch.indexOf(buffer, i, to, (byte) '"');
                    text.append(buffer, i, quote < 0 ? to : quote);
                    if (quote < 0) {
                        return to;
                    }
                    text.append((byte) '"');
                    i = quote + 1;
                    state = IDENTIFIER_QUOTE;
                }
                case IDENTIFIER_QUOTE -> {
                    if (c != '"') {
                        return end(StatementTokens.QUOTED_IDENTIFIER, i);
                    }
                    text.append(c); // "" inside the identifier
                    state = IDENTIFIER;
                    i++;
                }
                case DOLLAR_OPEN -> {
                    if (c == '$') {
                        state = DOLLAR;
                        i++;
                    } else if (isTagByte(c)) {
                        if (tagLength == tag.length) {
                            tag = Arrays.copyOf(tag, tag.length * 2);
                        }
                        tag[tagLength++] = c;
                        i++;
                    } else { // $1, or a $ of an operator: no quote
                        return end(NO_QUOTE, i);
                    }
                }
                case DOLLAR -> {
                    int dollar = ByteSearch.indexOf(buffer, i, to, (byte) '$');
                    if (dollar < 0) {
                        return to;
                    }
                    i = dollar + 1;
                    tagMatched = 0;
                    state = DOLLAR_CLOSE;
                }
                default -> { // DOLLAR_CLOSE
                    if (tagMatched < tagLength && c == tag[tagMatched]) {
                        tagMatched++;
                        i++;
                    } else if (tagMatched == tagLength && c == '$') {
                        return end(StatementTokens.STRING, i + 1);
                    } else {
                        state = DOLLAR; // this byte may open the closing tag itself
                    }
                }
            }
        }
        return to;
    }

    /** What the quote read last was, once it ended: a token kind of {@link StatementTokens}, or {@link #NO_QUOTE}. */
    byte ended() {
        return ended;
    }

    private int end(byte kind, int next) {
        ended = kind;
        return next;
    }

    private boolean isTagByte(byte c) {
        return SqlLexer.isWordByte(c) && !(tagLength == 0 && c >= '0' && c <= '9') && tagLength < TAG_CAP;
    }
}
