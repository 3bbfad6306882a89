package io.pgbackup.sql;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first tokens of the statement being read (outside comments, at any parenthesis depth), as they were written:
 * enough for a filter to tell what a statement is and for a reader to take the name it is about. A token longer than
 * {@value #RAW_CAP} bytes is kept cut and marked so (no identifier PostgreSQL keeps is that long).
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

    void clear() {
        count = 0;
    }

    void add(byte tokenKind, byte[] text, int textLength, boolean textCut) {
        if (count < MAX) {
            kind[count] = tokenKind;
            length[count] = Math.min(textLength, RAW_CAP);
            System.arraycopy(text, 0, raw[count], 0, length[count]);
            cut[count] = textCut || textLength > RAW_CAP;
            count++;
        }
    }

    void add(byte tokenKind, byte text) {
        if (count < MAX) {
            kind[count] = tokenKind;
            raw[count][0] = text;
            length[count] = 1;
            cut[count] = false;
            count++;
        }
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
