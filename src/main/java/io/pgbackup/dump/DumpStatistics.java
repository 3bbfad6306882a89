package io.pgbackup.dump;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;


/**
 * Reads pg_dump's plain-format output as it streams past, without holding it: counts the bytes, takes the server
 * and pg_dump versions from the header, counts the rows of every {@code COPY ... FROM stdin;} block (one line a row
 * in COPY text format, ended by {@code \.}), and checks that the trailer pg_dump writes last
 * ({@code -- PostgreSQL database dump complete}) arrived. A stream that ends without it throws
 * {@link IncompleteDumpException} at its end, so a dump cut short is never stored, whatever the exit code said.
 * <p>
 * The row counts are those of the dump's own snapshot: what a restore of this backup must contain.
 */
public final class DumpStatistics extends DumpWatcher {


    private static final byte[] COPY = "COPY ".getBytes(StandardCharsets.US_ASCII);
    private static final String FROM_STDIN = "FROM stdin;";
    private static final String SERVER_VERSION = "-- Dumped from database version ";
    private static final String DUMP_VERSION = "-- Dumped by pg_dump";
    private static final int HEAD = 4096;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private final boolean requireTrailer;
    private static final int MAX_COPY_LINE = 512 * 1024;

    private byte[] line = new byte[HEAD];
    private int lineLength;
    private boolean inCopy;
    private String copyTable;
    private long copyRows;
    private boolean complete;
    private String serverVersion = "";
    private String dumpVersion = "";

    public DumpStatistics(InputStream dump, boolean requireTrailer) {
        super(dump);
        this.requireTrailer = requireTrailer;
    }

    @Override
    void scan(byte[] buffer, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (inCopy && lineLength >= 3) {
                // inside a row of table data only the row's end matters (a row is counted at its newline, and "\."
                // is told by its first bytes): jump to it eight bytes at a time
                int newline = indexOfNewline(buffer, i, end);
                if (newline < 0) {
                    return;
                }
                i = newline + 1;
                endOfLine();
                continue;
            }
            byte c = buffer[i++];
            if (c == '\n') {
                endOfLine();
            } else if (lineLength < (inCopy ? 3 : line.length)) {
                line[lineLength++] = c;
            } else if (!inCopy && line.length < MAX_COPY_LINE && startsWith(COPY)) {
                // a COPY header naming many columns: keep all of it, its end says whether data follows
                line = java.util.Arrays.copyOf(line, line.length * 2);
                line[lineLength++] = c;
            }
        }
    }

    /** The index of the first '\n' in {@code buffer[from, to)}, or -1: eight bytes a step (SWAR). */
    public static int indexOfNewline(byte[] buffer, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = (long) LONGS.get(buffer, i) ^ NEWLINES;
            // a byte of word is zero where the input had '\n'; the lowest flagged byte is the first one (exact)
            long zeros = (word - ONES) & ~word & HIGH_BITS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void endOfLine() {
        if (inCopy) {
            if (lineLength == 2 && line[0] == '\\' && line[1] == '.') {
                inCopy = false;
                rows.merge(copyTable, copyRows, Long::sum);
            } else {
                copyRows++;
            }
        } else if (startsWith(COPY)) {
            String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
            if (text.endsWith(FROM_STDIN)) {
                inCopy = true;
                copyRows = 0;
                copyTable = tableOf(text);
            }
        } else if (lineLength > 3 && line[0] == '-' && line[1] == '-' && line[2] == ' ') {
            String text = new String(line, 0, lineLength, StandardCharsets.UTF_8).strip();
            if (text.startsWith(SERVER_VERSION)) {
                serverVersion = text.substring(SERVER_VERSION.length()).strip();
            } else if (text.startsWith(DUMP_VERSION)) {
                // "-- Dumped by pg_dump version 15.8" or "-- Dumped by pg_dumpall version 15.8"
                int at = text.indexOf("version ");
                dumpVersion = at < 0 ? text : text.substring(at + "version ".length()).strip();
            } else if (text.startsWith("-- PostgreSQL database") && text.endsWith("dump complete")) {
                complete = true;
            }
        }
        lineLength = 0;
        if (line.length > HEAD) {
            line = new byte[HEAD];
        }
    }

    /** "COPY public.t (a, b) FROM stdin;" -> "public.t" (quoted names kept as written, usable in SQL). */
    static String tableOf(String copyLine) {
        String rest = copyLine.substring(COPY.length, copyLine.length() - FROM_STDIN.length()).strip();
        boolean quoted = false;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == ' ' || c == '(')) {
                return rest.substring(0, i);
            }
        }
        return rest;
    }

    private boolean startsWith(byte[] prefix) {
        return lineLength >= prefix.length && java.util.Arrays.equals(line, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    void end() throws IOException {
        if (lineLength > 0) {
            endOfLine();
        }
        if (inCopy) {
            throw new IncompleteDumpException("pg_dump output ended inside the data of table " + copyTable
                    + ": the dump is incomplete");
        }
        if (requireTrailer && !complete) {
            throw new IncompleteDumpException("pg_dump output ended without its 'dump complete' trailer ("
                    + bytes() + " bytes): the dump is incomplete");
        }
    }

    @Override
    public boolean isComplete() {
        return complete;
    }

    @Override
    public String serverVersion() {
        return serverVersion;
    }

    @Override
    public String dumpVersion() {
        return dumpVersion;
    }

}
