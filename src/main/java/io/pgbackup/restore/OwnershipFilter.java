package io.pgbackup.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.pgbackup.dump.DumpStatistics;
import io.pgbackup.streams.BulkInputStream;

import org.apache.camel.Exchange;

/**
 * {@code restore --no-owner} and {@code --no-privileges} for a plain SQL backup, as pg_restore has them: the
 * statements that name roles are left out as the dump streams into psql, so a backup restores into a server that does
 * not have the source's roles (a staging server), everything then belonging to the user restoring it.
 * <ul>
 * <li>--no-owner: {@code ALTER ... OWNER TO ...;}</li>
 * <li>--no-privileges: {@code GRANT ...;}, {@code REVOKE ...;} and {@code ALTER DEFAULT PRIVILEGES ...;}</li>
 * </ul>
 * pg_dump writes each of these as one line of its own, a whole statement. Only such a line is left out, and only when
 * it starts outside every quote: the rows of a {@code COPY ... FROM stdin;} block (up to its {@code \.} line) are
 * data, and a line inside a function's body ({@code $$ ... $$}) or a multi-line string (a COMMENT) is text; both pass
 * untouched whatever they hold (a row, or a function, may well have a line beginning with "GRANT"). The stream is
 * filtered line by line in bytes (no decoding), so it keeps up with the load.
 */
public final class OwnershipFilter extends BulkInputStream {

    /** Exchange properties set by the restore command. */
    public static final String NO_OWNER = "restoreNoOwner";
    public static final String NO_PRIVILEGES = "restoreNoPrivileges";

    private static final byte[] COPY = bytes("COPY ");
    private static final byte[] FROM_STDIN = bytes(" FROM stdin;");
    private static final byte[] END_OF_COPY = bytes("\\.");
    private static final byte[] ALTER = bytes("ALTER ");
    private static final byte[] OWNER_TO = bytes(" OWNER TO ");
    private static final byte[] GRANT = bytes("GRANT ");
    private static final byte[] REVOKE = bytes("REVOKE ");
    private static final byte[] DEFAULT_PRIVILEGES = bytes("ALTER DEFAULT PRIVILEGES ");
    private static final byte[] RESTRICT = bytes("\\restrict ");
    private static final byte[] UNRESTRICT = bytes("\\unrestrict ");

    private final InputStream in;
    private final boolean noOwner;
    private final boolean noPrivileges;
    private final boolean dropRestrict;
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[8 * 1024];
    private int lineLength;
    private int linePos;
    private boolean inCopy;
    /** The last piece handed out ended inside a row of table data: the next one does not start a line. */
    private boolean continued;
    private static final int PIECE = 64 * 1024;
    private static final int NONE = 0;
    private static final int SINGLE = 1;
    private static final int DOUBLE = 2;
    private static final int DOLLAR = 3;
    private int quote = NONE;
    private boolean escapes;
    private byte[] dollarTag;
    private boolean ended;
    private long skipped;

    public OwnershipFilter(InputStream in, boolean noOwner, boolean noPrivileges) {
        this(in, noOwner, noPrivileges, false);
    }

    /**
     * @param dropRestrict also leave out the dump's own {@code \restrict KEY} and {@code &#92;unrestrict KEY} lines
     *                     (pg_dump 15.14 and later write them): the restore puts its own key in front (MetaCommandGuard)
     */
    public OwnershipFilter(InputStream in, boolean noOwner, boolean noPrivileges, boolean dropRestrict) {
        this.in = in;
        this.noOwner = noOwner;
        this.noPrivileges = noPrivileges;
        this.dropRestrict = dropRestrict;
    }

    /**
     * For the routes (restore.yaml): a plain backup's SQL as psql must get it. The statements naming roles are left
     * out with --no-owner / --no-privileges; and psql is kept from running any backslash command the file holds
     * ({@code \! shell command}, {@code \o file}...): the dump's own restrict lines are left out and one with a key
     * nobody knows goes first ({@link MetaCommandGuard}), so a tampered backup cannot run commands on this host.
     */
    public static InputStream apply(Exchange exchange) {
        InputStream body = exchange.getMessage().getBody(InputStream.class);
        boolean noOwner = exchange.getProperty(NO_OWNER, false, Boolean.class);
        boolean noPrivileges = exchange.getProperty(NO_PRIVILEGES, false, Boolean.class);
        return MetaCommandGuard.guard(exchange, body, noOwner, noPrivileges);
    }

    /** The bytes held for the line being read (bounded inside table data whatever a row's length). */
    int lineCapacity() {
        return line.length;
    }

    /** How many statements were left out so far. */
    public long skipped() {
        return skipped;
    }

    /**
     * As many lines as fit: a read returns whole buffers, not a line each (psql gets the SQL in 64 KiB writes instead
     * of one write, and one wake-up, per row). Once some bytes are in hand it takes further lines only from what is
     * already read, never waiting on the source for them.
     */
    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int filled = 0;
        while (filled < length) {
            if (linePos == lineLength) {
                if (filled > 0 && chunkPos == chunkEnd || !nextLine()) {
                    break;
                }
                continue;
            }
            int n = Math.min(length - filled, lineLength - linePos);
            System.arraycopy(line, linePos, buffer, offset + filled, n);
            linePos += n;
            filled += n;
        }
        return filled == 0 ? -1 : filled;
    }

    /**
     * Reads the next line (with its newline) into {@code line}; empties it when the line is left out. A row of table
     * data longer than {@value #PIECE} bytes is handed out in pieces of about that size (a single value may be up to a
     * GB: held whole it would not fit the heap), and only a piece that is a whole line can end the data. Statements
     * are held whole (the filter must see where one starts and ends); pg_dump writes them in short lines.
     */
    private boolean nextLine() throws IOException {
        lineLength = 0;
        linePos = 0;
        if (ended) {
            return false;
        }
        boolean lineStart = !continued;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = in.read(chunk, 0, chunk.length);
                chunkPos = 0;
                if (chunkEnd <= 0) {
                    chunkEnd = 0;
                    ended = true;
                    break;
                }
            }
            int newline = DumpStatistics.indexOfNewline(chunk, chunkPos, chunkEnd);
            int end = newline < 0 ? chunkEnd : newline + 1;
            append(chunk, chunkPos, end - chunkPos);
            chunkPos = end;
            if (newline >= 0) {
                continued = false;
                break;
            }
            if (inCopy && lineLength >= PIECE) {
                continued = true;
                break;
            }
        }
        if (lineLength == 0) {
            return !ended;
        }
        if (inCopy) {
            if (lineStart && !continued && isLine(END_OF_COPY)) {
                inCopy = false;
            }
            return true;
        }
        // only a line that starts outside every quote is a statement of its own: a line of a function's body
        // ($$ ... $$) or of a multi-line string (a COMMENT) is text, and is never touched
        boolean statement = quote == NONE;
        scanQuotes();
        if (!statement) {
            return true;
        }
        if (startsWith(COPY) && contains(FROM_STDIN)) {
            inCopy = true;
            return true;
        }
        if (dropRestrict && (startsWith(RESTRICT) || startsWith(UNRESTRICT))) {
            lineLength = 0;
            return true;
        }
        if (quote == NONE && endsStatement()
                && (noOwner && startsWith(ALTER) && contains(OWNER_TO)
                || noPrivileges && (startsWith(GRANT) || startsWith(REVOKE) || startsWith(DEFAULT_PRIVILEGES)))) {
            skipped++;
            lineLength = 0;
        }
        return true;
    }

    /**
     * Follows SQL quoting through the line (outside COPY data): '...' (with '' inside; E'...' with backslash escapes),
     * "..." identifiers, $tag$ ... $tag$ bodies, and -- comments to the end of the line.
     */
    private void scanQuotes() {
        int i = 0;
        while (i < lineLength) {
            byte c = line[i];
            switch (quote) {
                case NONE -> {
                    if (c == '-' && i + 1 < lineLength && line[i + 1] == '-') {
                        return;
                    } else if (c == '\'') {
                        quote = SINGLE;
                        escapes = i > 0 && (line[i - 1] == 'E' || line[i - 1] == 'e') && (i < 2 || !isWordByte(line[i - 2]));
                    } else if (c == '"') {
                        quote = DOUBLE;
                    } else if (c == '$' && (i == 0 || !isWordByte(line[i - 1]))) {
                        int end = dollarTagEnd(i);
                        if (end > 0) {
                            dollarTag = Arrays.copyOfRange(line, i, end + 1);
                            quote = DOLLAR;
                            i = end;
                        }
                    }
                }
                case SINGLE -> {
                    if (escapes && c == '\\') {
                        i++;
                    } else if (c == '\'') {
                        quote = NONE; // '' inside a string closes and reopens it: the same state two bytes on
                    }
                }
                case DOUBLE -> {
                    if (c == '"') {
                        quote = NONE;
                    }
                }
                default -> { // DOLLAR
                    if (c == '$' && i + dollarTag.length <= lineLength
                            && Arrays.equals(line, i, i + dollarTag.length, dollarTag, 0, dollarTag.length)) {
                        quote = NONE;
                        i += dollarTag.length - 1;
                    }
                }
            }
            i++;
        }
    }

    /** The index of the closing $ of a dollar-quote tag opening at {@code start} ($$ or $name$), or -1. */
    private int dollarTagEnd(int start) {
        int i = start + 1;
        if (i < lineLength && line[i] >= '0' && line[i] <= '9') {
            return -1; // $1: a parameter, not a tag
        }
        while (i < lineLength && isWordByte(line[i])) {
            i++;
        }
        return i < lineLength && line[i] == '$' ? i : -1;
    }

    private static boolean isWordByte(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b < 0;
    }

    /** The line is one whole statement: it ends with ";" (pg_dump writes OWNER TO, GRANT and REVOKE so). */
    private boolean endsStatement() {
        int end = lineLength;
        while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r' || line[end - 1] == ' ')) {
            end--;
        }
        return end > 0 && line[end - 1] == ';';
    }

    private void append(byte[] source, int from, int count) {
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
        }
        System.arraycopy(source, from, line, lineLength, count);
        lineLength += count;
    }

    private boolean startsWith(byte[] prefix) {
        return lineLength >= prefix.length && java.util.Arrays.equals(line, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The line is exactly {@code text} (before its line break). */
    private boolean isLine(byte[] text) {
        int length = lineLength;
        if (length > 0 && line[length - 1] == '\n') {
            length--;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return length == text.length && startsWith(text);
    }

    private boolean contains(byte[] text) {
        outer:
        for (int i = 0; i + text.length <= lineLength; i++) {
            for (int j = 0; j < text.length; j++) {
                if (line[i + j] != text[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
