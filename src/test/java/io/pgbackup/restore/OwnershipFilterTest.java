package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class OwnershipFilterTest {

    static final String DUMP = """
            SET client_encoding = 'UTF8';
            CREATE TABLE public.orders (
                id integer NOT NULL,
                note text
            );
            ALTER TABLE public.orders OWNER TO prod_user;
            COPY public.orders (id, note) FROM stdin;
            1\tGRANT ALL ON everything TO everyone;
            2\tALTER TABLE x OWNER TO y;
            ALTER TABLE public.orders OWNER TO a_value_not_a_statement;
            \\.
            ALTER SCHEMA app OWNER TO prod_user;
            GRANT SELECT ON TABLE public.orders TO reporting;
            REVOKE ALL ON SCHEMA public FROM PUBLIC;
            ALTER DEFAULT PRIVILEGES FOR ROLE prod_user IN SCHEMA public GRANT SELECT ON TABLES TO reporting;
            ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
            """;

    /** Hands bytes over 1..7 at a time, so that lines and markers straddle every read. */
    static InputStream trickle(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            int pos;
            int turn;

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= bytes.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + turn++ % 7), bytes.length - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    static String filtered(InputStream in, boolean noOwner, boolean noPrivileges, int readSize) throws IOException {
        return filtered(new OwnershipFilter(in, noOwner, noPrivileges), readSize);
    }

    /** All of {@code filter}, read {@code readSize} bytes at a time (1: through the single-byte read). */
    static String filtered(InputStream filter, int readSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[readSize];
        for (int n; (n = readSize == 1 ? single(filter, buffer) : filter.read(buffer, 0, buffer.length)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static int single(InputStream in, byte[] buffer) throws IOException {
        int b = in.read();
        if (b < 0) {
            return -1;
        }
        buffer[0] = (byte) b;
        return 1;
    }

    @Test
    void ownershipAndPrivilegeStatementsGoRowsStay() throws IOException {
        for (int readSize : new int[] {1, 3, 8192}) {
            String out = filtered(trickle(DUMP), true, true, readSize);

            assertThat(out).as("read size %d", readSize).isEqualTo("""
                    SET client_encoding = 'UTF8';
                    CREATE TABLE public.orders (
                        id integer NOT NULL,
                        note text
                    );
                    COPY public.orders (id, note) FROM stdin;
                    1\tGRANT ALL ON everything TO everyone;
                    2\tALTER TABLE x OWNER TO y;
                    ALTER TABLE public.orders OWNER TO a_value_not_a_statement;
                    \\.
                    ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
                    """);
        }
    }

    @Test
    void eachFlagLeavesOutOnlyItsOwnStatements() throws IOException {
        String ownerOnly = filtered(trickle(DUMP), true, false, 4096);
        assertThat(ownerOnly).doesNotContain("OWNER TO prod_user").contains("GRANT SELECT ON TABLE public.orders TO reporting;")
                .contains("REVOKE ALL ON SCHEMA public FROM PUBLIC;");
        String privilegesOnly = filtered(trickle(DUMP), false, true, 4096);
        assertThat(privilegesOnly).contains("ALTER TABLE public.orders OWNER TO prod_user;")
                .doesNotContain("TO reporting;").doesNotContain("REVOKE ALL");
        assertThat(filtered(new ByteArrayInputStream(new byte[0]), true, true, 10)).isEmpty();
        assertThat(filtered(trickle("no newline at the end"), true, true, 5)).isEqualTo("no newline at the end");
    }

    /** Lines of a function's body or of a multi-line string are text: never left out, whatever they begin with. */
    @Test
    void textInsideQuotesIsNeverTouched() throws IOException {
        String dump = """
                CREATE FUNCTION public.share() RETURNS void
                    LANGUAGE plpgsql
                    AS $$
                BEGIN
                GRANT SELECT ON public.orders TO PUBLIC;
                ALTER TABLE public.orders OWNER TO somebody;
                COPY public.orders (id) FROM stdin;
                END
                $$;
                ALTER FUNCTION public.share() OWNER TO prod_user;
                CREATE FUNCTION public.tagged() RETURNS text LANGUAGE sql AS $_$SELECT 'a$$b'
                REVOKE ALL ON x FROM y;
                $_$;
                COMMENT ON TABLE public.orders IS 'it''s
                GRANT nothing here;
                ALTER TABLE x OWNER TO y;';
                COMMENT ON COLUMN public.orders.note IS E'back\\'slash
                GRANT still text;';
                CREATE TABLE public."odd$name" ("it's" integer);
                GRANT SELECT ON TABLE public.orders TO "role; with ' quote";
                REVOKE ALL ON TABLE public.orders FROM reporting;
                """;
        String out = filtered(trickle(dump), true, true, 4096);

        assertThat(out).isEqualTo(withoutLines(dump, "ALTER FUNCTION public.share() OWNER TO prod_user;",
                "GRANT SELECT ON TABLE public.orders TO \"role; with ' quote\";",
                "REVOKE ALL ON TABLE public.orders FROM reporting;"));
    }

    /** {@code text} without {@code lines}, each of which it holds exactly once as a whole line. */
    private static String withoutLines(String text, String... lines) {
        List<String> kept = new ArrayList<>(List.of(text.split("\n", -1)));
        for (String line : lines) {
            assertThat(kept).as("the text holds the line once").containsOnlyOnce(line);
            kept.remove(line);
        }
        return String.join("\n", kept);
    }

    @Test
    void aLongRowPassesWhole() throws IOException {
        String row = "1\t" + "x".repeat(300_000) + "\n";
        String dump = "COPY public.t (id, v) FROM stdin;\n" + row + "\\.\nGRANT ALL ON t TO r;\n";
        assertThat(filtered(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)), true, true, 65536))
                .isEqualTo("COPY public.t (id, v) FROM stdin;\n" + row + "\\.\n");
    }

    /**
     * The dump's own restrict lines go (the restore puts its own key first); a COPY row or a string line that merely
     * begins so is data and stays, and nothing else is touched.
     */
    @Test
    void theDumpsOwnRestrictLinesAreLeftOutAndNothingElse() throws IOException {
        String dump = "--\n-- PostgreSQL database dump\n--\n\n\\restrict AbC123\n\nSET x = 1;\n"
                + "COPY public.t (a) FROM stdin;\n\\restrict not-a-command: a row\n\\unrestrict also a row\n\\.\n"
                + "COMMENT ON TABLE public.t IS 'two\n\\restrict lines';\n"
                + "\\unrestrict AbC123\n";
        String expected = "--\n-- PostgreSQL database dump\n--\n\n\nSET x = 1;\n"
                + "COPY public.t (a) FROM stdin;\n\\restrict not-a-command: a row\n\\unrestrict also a row\n\\.\n"
                + "COMMENT ON TABLE public.t IS 'two\n\\restrict lines';\n";
        for (int readSize : new int[] {1, 3, 7, 64 * 1024}) {
            OwnershipFilter filter = new OwnershipFilter(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)),
                    false, false, true);
            assertThat(filtered(filter, readSize)).as("reads of %d", readSize).isEqualTo(expected);
        }
        assertThat(filtered(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)), true, true, 64))
                .as("without the flag the lines stay").isEqualTo(dump);
    }

    /**
     * A read returns as many lines as fit in the caller's buffer (psql then gets the rows in large writes, not one
     * write per row), and once it holds some it does not wait on the source for more.
     */
    @Test
    void aReadReturnsWholeBuffersOfLinesAndNeverWaitsWithLinesInHand() throws IOException {
        StringBuilder rows = new StringBuilder("COPY public.orders (id, note) FROM stdin;\n");
        for (int i = 0; i < 1000; i++) {
            rows.append(i).append("\tnote ").append(i).append('\n');
        }
        byte[] first = rows.toString().getBytes(StandardCharsets.UTF_8);
        int[] sourceReads = {0};
        InputStream source = new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sourceReads[0]++ > 0) {
                    throw new AssertionError("the filter waited on the source with lines in hand");
                }
                System.arraycopy(first, 0, b, off, first.length);
                return first.length;
            }
        };
        OwnershipFilter filter = new OwnershipFilter(source, true, true, true);
        byte[] buffer = new byte[64 * 1024];
        int n = filter.read(buffer, 0, buffer.length);
        assertThat(n).as("every line the first chunk held, in one read").isEqualTo(first.length);
        assertThat(new String(buffer, 0, n, StandardCharsets.UTF_8)).isEqualTo(rows.toString());
        assertThat(sourceReads[0]).isEqualTo(1);
        int small = new OwnershipFilter(new ByteArrayInputStream(first), false, false).read(buffer, 0, 100);
        assertThat(small).as("a small buffer is filled whole, across lines").isEqualTo(100);
    }

    /**
     * A row of table data may hold a value of up to a GB: it passes through in pieces, the filter never holding more
     * than a few hundred KB, and a piece that only looks like the end of the data (the tail of a row that ends in an
     * escaped backslash and a dot, split between the two backslashes) does not end it: the row after it, which reads
     * like a GRANT, is data and stays.
     */
    @Test
    void aLongRowPassesInPiecesAndOnlyAWholeLineEndsTheData() throws IOException {
        String header = "COPY public.docs (body) FROM stdin;\n";
        // ByteArrayInputStream hands over 64 KiB a read: the first piece of the long row ends with the second chunk,
        // at offset 131072; the row's escaped backslash is split there, so the next piece is exactly "\\.\n"
        int split = 2 * 64 * 1024;
        String row = "a".repeat(split - 1 - header.length()) + "\\\\.\n";
        String big = "b".repeat(3 * 1024 * 1024) + "\n";
        String dump = header + row + "GRANT ALL ON everything TO everyone;\n" + big + "\\.\n"
                + "ALTER TABLE public.docs OWNER TO prod_user;\n";
        assertThat(dump.substring(split, split + 3)).isEqualTo("\\.\n");
        OwnershipFilter filter = new OwnershipFilter(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)),
                true, true, true);
        String out = filtered(filter, 64 * 1024);
        assertThat(out).isEqualTo(header + row + "GRANT ALL ON everything TO everyone;\n" + big + "\\.\n");
        assertThat(filter.skipped()).as("the ALTER after the data").isEqualTo(1);
        assertThat(filter.heldCapacity()).as("bytes held for a 3 MB row").isLessThan(512 * 1024);
    }

    /** The statement is the unit: one written over several lines goes whole, one sharing a line with another too. */
    @Test
    void statementsGoWholeWhateverTheirLines() throws IOException {
        String dump = "GRANT SELECT\n    ON TABLE public.orders\n    TO reporting;\nSELECT 1; REVOKE ALL ON t FROM u;\n"
                + "ALTER TABLE public.\"odd\nOWNER TO x\" OWNER\n TO prod_user;\nALTER TABLE t ADD COLUMN \"owner to\" int;\n";
        assertThat(filtered(trickle(dump), true, true, 4096))
                .isEqualTo("SELECT 1; ALTER TABLE t ADD COLUMN \"owner to\" int;\n");
    }

    /**
     * A function body on one line of any length (a 120 MB one ran the shipped 200 MB heap out) passes in pieces: the
     * filter holds no more than a short statement.
     */
    @Test
    void aLongOneLineFunctionBodyPassesInPieces() throws IOException {
        String body = "SELECT '" + "x".repeat(3 * 1024 * 1024) + "'";
        String dump = "CREATE FUNCTION public.big() RETURNS text LANGUAGE sql AS $$" + body + "$$;\n"
                + "ALTER FUNCTION public.big() OWNER TO prod_user;\nGRANT ALL ON FUNCTION public.big() TO PUBLIC;\n";
        OwnershipFilter filter = new OwnershipFilter(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)),
                true, true, true);
        assertThat(filtered(filter, 64 * 1024)).isEqualTo(dump.substring(0, dump.indexOf("ALTER FUNCTION")));
        assertThat(filter.skipped()).isEqualTo(2);
        assertThat(filter.heldCapacity()).as("bytes held for a 3 MB line").isLessThan(512 * 1024);
    }
}
