package io.pgbackup.sql;

import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL's lexing as psql applies it to a script, over bytes that arrive in pieces of any size, holding none of
 * them: string literals ({@code ''} inside; {@code E''} with backslash escapes; standard_conforming_strings on, as
 * pg_dump sets it), quoted identifiers ({@code ""} inside, line breaks allowed), dollar quotes ({@code $tag$...$tag$},
 * not {@code $1}), {@code --} and nested {@code /* *}{@code /} comments, statement ends ({@code ;} outside all of
 * them, outside parentheses and outside a {@code BEGIN ... END} function body, psql's rules), backslash (meta)
 * command lines, and the data of a {@code COPY ... FROM stdin;} up to its {@code \.} line, which is skipped a line at a
 * time with an eight-bytes-a-step newline search.
 * <p>
 * {@link #scan} reads up to the next place a reader cares about and says what is there ({@link #event()}): just before
 * a statement or a meta command line between statements starts, just after one ends, after the data of a COPY, after a
 * {@code --} comment between statements ({@link #comment()}). The statement's first tokens are kept
 * ({@link #tokens()}); a COPY's table, as its statement names it, and its rows are counted. Quoted parts are read by
 * {@link QuotedText}, comments by {@link SqlComments}, a COPY's data by {@link CopyData}.
 */
public final class SqlLexer {

    /** What {@link #scan} stopped at. */
    public enum Event { NONE, STATEMENT_START, STATEMENT_END, META_START, META_END, COPY_END, COMMENT_END }

    private static final int GAP = 0;
    private static final int CODE = 1;
    private static final int WORD = 2;
    private static final int NUMBER = 3;
    private static final int QUOTED = 4;
    private static final int DASH = 5;
    private static final int SLASH = 6;
    private static final int LINE_COMMENT = 7;
    private static final int BLOCK_COMMENT = 8;
    private static final int META = 9;
    private static final int COPY = 10;
    private static final int BACKSLASH = 11;

    private int state = GAP;
    private Event event = Event.NONE;
    private boolean statement;
    private final TokenText text = new TokenText();
    private final QuotedText quoted = new QuotedText();
    private final SqlComments comments = new SqlComments();
    private final StatementTokens tokens = new StatementTokens();
    private final CopyData copy = new CopyData();

    /**
     * Reads {@code buffer[from, to)} up to the next event; returns the index it stopped at ({@code to} when none).
     * At {@link Event#STATEMENT_START} and {@link Event#META_START} the byte at the returned index is the first of
     * the statement; at the other events the returned index is just past the last byte of what ended.
     */
    public int scan(byte[] buffer, int from, int to) {
        event = Event.NONE;
        int i = from;
        while (i < to) {
            byte c = buffer[i];
            switch (state) {
                case COPY -> {
                    int end = copy.scan(buffer, i, to);
                    if (end < 0) {
                        return to;
                    }
                    state = GAP;
                    event = Event.COPY_END;
                    return end;
                }
                case GAP -> {
                    if (isSpace(c)) {
                        i++;
                    } else if (c == '-' || c == '/') {
                        state = c == '-' ? DASH : SLASH;
                        i++;
                    } else {
                        startStatement(c == '\\');
                        return i;
                    }
                }
                case CODE -> {
                    i++;
                    if (code(c)) {
                        return i;
                    }
                }
                case WORD, NUMBER -> {
                    if (c == '\'' && state == WORD && text.isE()) {
                        quoted.openString(true); // E'...': backslash escapes
                        state = QUOTED;
                        i++;
                    } else if (isWordByte(c) || c == '$' && state == WORD || state == NUMBER && c == '.') {
                        text.append(c);
                        i++;
                    } else {
                        endWord();
                        state = CODE;
                    }
                }
                case QUOTED -> {
                    i = quoted.scan(buffer, i, to, text);
                    byte ended = quoted.ended();
                    if (ended == QuotedText.NO_QUOTE) {
                        tokens.punctuation((byte) '$');
                        state = CODE;
                    } else if (ended != QuotedText.OPEN) {
                        token(ended);
                        state = CODE;
                    }
                }
                case DASH, SLASH -> {
                    boolean dash = state == DASH;
                    if (c == (dash ? '-' : '*')) {
                        state = dash ? LINE_COMMENT : BLOCK_COMMENT;
                        comments.open(dash, !statement);
                        i++;
                    } else {
                        if (statement) {
                            tokens.punctuation(dash ? (byte) '-' : (byte) '/');
                        }
                        state = statement ? CODE : GAP;
                    }
                }
                case LINE_COMMENT, BLOCK_COMMENT -> {
                    int end = comments.scan(buffer, i, to);
                    if (end < 0) {
                        return to;
                    }
                    i = end;
                    boolean between = state == LINE_COMMENT && !statement;
                    state = statement ? CODE : GAP;
                    if (between) {
                        event = Event.COMMENT_END;
                        return i;
                    }
                }
                case BACKSLASH -> { // inside a statement, psql reads \; and \: as text, any other backslash as a command
                    if (c == ';' || c == ':') {
                        tokens.punctuation(c);
                        state = CODE;
                        i++;
                    } else {
                        state = META;
                    }
                }
                default -> { // META: a backslash command, to the end of its line
                    int newline = ByteSearch.indexOf(buffer, i, to, (byte) '\n');
                    text.append(buffer, i, newline < 0 ? to : newline);
                    if (newline < 0) {
                        return to;
                    }
                    i = newline + 1;
                    if (statement) {
                        token(StatementTokens.META);
                        state = CODE;
                    } else {
                        state = GAP;
                        event = Event.META_END;
                        return i;
                    }
                }
            }
        }
        return to;
    }

    /** One byte of a statement between tokens; true when it ended the statement. */
    private boolean code(byte c) {
        if (isSpace(c)) {
            return false;
        }
        text.clear();
        if (c >= '0' && c <= '9') {
            state = NUMBER;
            text.append(c);
        } else if (isWordByte(c)) {
            state = WORD;
            text.append(c);
        } else if (c == '\'') {
            state = QUOTED;
            quoted.openString(false);
        } else if (c == '"') {
            state = QUOTED;
            text.append(c);
            quoted.openIdentifier();
        } else if (c == '$') {
            state = QUOTED;
            quoted.openDollar();
        } else if (c == '-') {
            state = DASH;
        } else if (c == '/') {
            state = SLASH;
        } else if (c == '\\') {
            state = BACKSLASH;
        } else if (c == ';' && tokens.endsAtSemicolon()) {
            endStatement();
            return true;
        } else {
            tokens.punctuation(c);
        }
        return false;
    }

    private void startStatement(boolean meta) {
        event = meta ? Event.META_START : Event.STATEMENT_START;
        statement = !meta;
        state = meta ? META : CODE;
        text.clear();
        tokens.clear();
    }

    private void endStatement() {
        event = Event.STATEMENT_END;
        statement = false;
        if (tokens.isWord(0, "COPY") && tokens.copyFromStdin()) {
            state = COPY;
            copy.start(tokens.name(1));
        } else {
            state = GAP;
        }
    }

    private void endWord() {
        tokens.word(state == NUMBER ? StatementTokens.NUMBER : StatementTokens.WORD, text.bytes(), text.length());
        text.clear();
    }

    private void token(byte kind) {
        tokens.add(kind, text.bytes(), text.length());
        text.clear();
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == 0x0b;
    }

    static boolean isWordByte(byte c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c < 0;
    }

    /** What the last {@link #scan} stopped at. */
    public Event event() {
        return event;
    }

    /** The first tokens of the statement read last (kept after its end, until the next one starts). */
    public StatementTokens tokens() {
        return tokens;
    }

    /** Whether the statement being read holds the words OWNER TO outside parentheses. */
    public boolean ownerTo() {
        return tokens.ownerTo();
    }

    /** The meta command line read last, from its backslash, without its line break (cut at 1 KiB). */
    public String metaCommand() {
        return text.toString();
    }

    /** At {@link Event#COMMENT_END}: the comment, from its {@code --} (cut at 256 bytes). */
    public String comment() {
        return comments.toString();
    }

    /** Whether the input ended now would end it inside a {@code --} comment between statements. */
    public boolean inComment() {
        return state == LINE_COMMENT && !statement;
    }

    /** Whether the last COPY ... FROM stdin's data has not ended yet. */
    public boolean inCopy() {
        return state == COPY;
    }

    /** The table the last COPY ... FROM stdin names, as written ({@code schema.table}, quoted where needed); null if none. */
    public String copyTable() {
        return copy.table();
    }

    /** The rows of the last COPY's data read so far. */
    public long copyRows() {
        return copy.rows();
    }

    /** The table a {@code COPY ... FROM stdin;} statement names, or null when {@code statement} is none. */
    public static String copyTableOf(String statement) {
        SqlLexer lexer = new SqlLexer();
        byte[] bytes = (statement + "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; ) {
            i = lexer.scan(bytes, i, bytes.length);
            if (lexer.event() == Event.STATEMENT_END) {
                return lexer.inCopy() ? lexer.copyTable() : null;
            }
        }
        return null;
    }
}
