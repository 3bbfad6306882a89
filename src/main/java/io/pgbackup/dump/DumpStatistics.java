package io.pgbackup.dump;

import java.io.IOException;
import java.io.InputStream;

import io.pgbackup.sql.ByteSearch;
import io.pgbackup.sql.SqlLexer;


/**
 * Reads pg_dump's plain-format output as it streams past, without holding it: counts the bytes, takes the server
 * and pg_dump versions from the header, counts the rows of every {@code COPY ... FROM stdin;} block (one line a row
 * in COPY text format, ended by {@code \.}), and checks that the trailer pg_dump writes last
 * ({@code -- PostgreSQL database dump complete}) arrived. A stream that ends without it throws
 * {@link IncompleteDumpException} at its end, so a dump cut short is never stored, whatever the exit code said.
 * <p>
 * The dump is read by SQL's lexing rules ({@link SqlLexer}), not line by line: only a real COPY statement starts table
 * data (a line inside a string, a comment or a function body that looks like one is text), and a table's name is read
 * whole, quotes and line breaks included, as pg_dump wrote it.
 * <p>
 * The row counts are those of the dump's own snapshot: what a restore of this backup must contain.
 */
public final class DumpStatistics extends DumpWatcher {

    private static final String SERVER_VERSION = "-- Dumped from database version ";
    private static final String DUMP_VERSION = "-- Dumped by pg_dump";

    private final boolean requireTrailer;
    private final SqlLexer lexer = new SqlLexer();
    private boolean complete;
    private String serverVersion = "";
    private String dumpVersion = "";

    public DumpStatistics(InputStream dump, boolean requireTrailer) {
        super(dump);
        this.requireTrailer = requireTrailer;
    }

    @Override
    void scan(byte[] buffer, int offset, int length) throws IOException {
        int end = offset + length;
        for (int i = offset; i < end; ) {
            i = lexer.scan(buffer, i, end);
            switch (lexer.event()) {
                case STATEMENT_END -> {
                    if (lexer.inCopy() && lexer.copyTable() == null) {
                        throw new IOException("pg_dump output holds a COPY statement whose table name cannot be read: "
                                + lexer.tokens());
                    }
                }
                case COPY_END -> rows.merge(lexer.copyTable(), lexer.copyRows(), Long::sum);
                case COMMENT_END -> comment(lexer.comment().strip());
                default -> {
                    // nothing to note
                }
            }
        }
    }

    /** The index of the first '\n' in {@code buffer[from, to)}, or -1: eight bytes a step (SWAR). */
    public static int indexOfNewline(byte[] buffer, int from, int to) {
        return ByteSearch.indexOf(buffer, from, to, (byte) '\n');
    }

    /** A {@code --} comment between statements: the versions in the header, the trailer. */
    private void comment(String text) {
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

    /** "COPY public.t (a, b) FROM stdin;" -> "public.t" (quoted names kept as written, usable in SQL); null if none. */
    static String tableOf(String copyStatement) {
        return SqlLexer.copyTableOf(copyStatement);
    }

    @Override
    void end() throws IOException {
        if (lexer.inComment()) {
            comment(lexer.comment().strip());
        }
        if (lexer.inCopy()) {
            throw new IncompleteDumpException("pg_dump output ended inside the data of table " + lexer.copyTable()
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
