package io.pgbackup.sql;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The first tokens of the statement being read (outside comments, at any parenthesis depth), as they were written:
 * enough for a filter to tell what a statement is and for a reader to take the name it is about. A token longer than
 * {@value #RAW_CAP} bytes is kept cut and marked so (no identifier PostgreSQL keeps is that long). Followed through
 * the whole statement: its parentheses and psql's {@code BEGIN ... END} function bodies (where a semicolon ends no
 * statement), and the word pairs {@code FROM STDIN} and {@code OWNER TO} outside parentheses.
 */
public final class StatementTokens {

    /** How many tokens a statement keeps. */
    public static final int MAX = 8;
    static final int RAW_CAP = 1024;

    /** Token kinds. */
    public static final byte WORD = 'w';
    public static final byte QUOTED_IDENTIFIER = 'q';
    public static final byte STRING = 's';
    public static final byte NUMBER = 'n';
    public static final byte PUNCTUATION = 'p';
    public static final byte META = 'm';

    private final byte[][] raw = new byte[MAX][RAW_CAP];
    private final int[] length = new int[MAX];
    private final boolean[] cut = new boolean[MAX];
    private final byte[] kind = new byte[MAX];
    private int count;
    private int parenDepth;
    private int beginDepth;
    private int identifierCount;
    private final char[] identifiers = new char[4];
    private String lastWord = "";
    private boolean copyFromStdin;
    private boolean ownerTo;

    void clear() {
        count = 0;
        parenDepth = 0;
        beginDepth = 0;
        identifierCount = 0;
        Arrays.fill(identifiers, (char) 0);
        lastWord = "";
        copyFromStdin = false;
        ownerTo = false;
    }

    /** A token other than a word or a punctuation mark; {@code textLength} may exceed what {@code text} holds. */
    void add(byte tokenKind, byte[] text, int textLength) {
        lastWord = "";
        if (count < MAX) {
            kind[count] = tokenKind;
            length[count] = Math.min(textLength, Math.min(text.length, RAW_CAP));
            System.arraycopy(text, 0, raw[count], 0, length[count]);
            cut[count] = textLength > length[count];
            count++;
        }
    }

    void punctuation(byte c) {
        if (c == '(') {
            parenDepth++;
        } else if (c == ')' && parenDepth > 0) {
            parenDepth--;
        }
        byte[] one = {c};
        add(PUNCTUATION, one, 1);
    }

    /** A word (or a number) ended: kept, and followed for psql's statement end and the word pairs. */
    void word(byte tokenKind, byte[] text, int textLength) {
        if (tokenKind != WORD) {
            add(tokenKind, text, textLength);
            return;
        }
        String word = textLength > 16 ? "" : new String(text, 0, textLength, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        // psql (psqlscan.l): inside CREATE [OR REPLACE] FUNCTION/PROCEDURE, a BEGIN ... END body holds semicolons
        if (identifierCount < identifiers.length && switch (word) {
            case "create", "function", "procedure", "or", "replace" -> true;
            default -> false;
        }) {
            identifiers[identifierCount] = word.charAt(0);
        }
        identifierCount++;
        if (identifiers[0] == 'c' && (identifiers[1] == 'f' || identifiers[1] == 'p' || identifiers[1] == 'o'
                && identifiers[2] == 'r' && (identifiers[3] == 'f' || identifiers[3] == 'p')) && parenDepth == 0) {
            if (word.equals("begin") || word.equals("case") && beginDepth > 0) {
                beginDepth++;
            } else if (word.equals("end") && beginDepth > 0) {
                beginDepth--;
            }
        }
        if (parenDepth == 0) {
            copyFromStdin |= lastWord.equals("from") && word.equals("stdin");
            ownerTo |= lastWord.equals("owner") && word.equals("to");
        }
        add(WORD, text, textLength);
        lastWord = parenDepth == 0 ? word : "";
    }

    /** Whether a semicolon here ends the statement (psql: outside parentheses and function bodies). */
    boolean endsAtSemicolon() {
        return parenDepth == 0 && beginDepth == 0;
    }

    /** The statement holds the words FROM STDIN outside parentheses. */
    boolean copyFromStdin() {
        return copyFromStdin;
    }

    /** The statement holds the words OWNER TO outside parentheses. */
    boolean ownerTo() {
        return ownerTo;
    }

    /** How many tokens were read whole so far (at most {@value #MAX}). */
    public int count() {
        return count;
    }

    public byte kind(int index) {
        return kind[index];
    }

    /** Whether token {@code index} is the unquoted word {@code keyword} (ASCII, any case). */
    public boolean isWord(int index, String keyword) {
        if (index >= count || kind[index] != WORD || length[index] != keyword.length()) {
            return false;
        }
        for (int i = 0; i < length[index]; i++) {
            int c = raw[index][i];
            if (Character.toUpperCase((char) c) != keyword.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The words {@code keywords} from token {@code index} on. */
    public boolean areWords(int index, String... keywords) {
        for (int i = 0; i < keywords.length; i++) {
            if (!isWord(index + i, keywords[i])) {
                return false;
            }
        }
        return true;
    }

    /** Token {@code index} as written (a quoted identifier with its quotes), or null when cut. */
    public String text(int index) {
        return index >= count || cut[index] ? null : new String(raw[index], 0, length[index], StandardCharsets.UTF_8);
    }

    /**
     * The identifier token {@code index} names: a quoted one without its quotes ({@code ""} read as {@code "}, line
     * breaks kept), a bare one folded to lower case as PostgreSQL folds it; null when the token is no identifier.
     */
    public String identifier(int index) {
        String text = text(index);
        if (text == null || kind[index] != WORD && kind[index] != QUOTED_IDENTIFIER) {
            return null;
        }
        if (kind[index] == WORD) {
            StringBuilder folded = new StringBuilder(text);
            for (int i = 0; i < folded.length(); i++) {
                char c = folded.charAt(i);
                if (c >= 'A' && c <= 'Z') {
                    folded.setCharAt(i, (char) (c + 32));
                }
            }
            return folded.toString();
        }
        return text.length() < 2 ? null : text.substring(1, text.length() - 1).replace("\"\"", "\"");
    }

    /**
     * The dotted name from token {@code index} on ({@code schema.table}, each part bare or quoted), as written: a name
     * {@code to_regclass} accepts. Null when no whole name starts there.
     */
    public String name(int index) {
        StringBuilder name = new StringBuilder();
        for (int i = index; i < count; i += 2) {
            if (identifier(i) == null) {
                return null;
            }
            name.append(text(i));
            if (!(i + 1 < count && kind[i + 1] == PUNCTUATION && raw[i + 1][0] == '.')) {
                return name.toString();
            }
            name.append('.');
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : " ").append((char) kind[i]).append(':')
                    .append(new String(Arrays.copyOf(raw[i], length[i]), StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}
