package io.pgbackup.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DumpStatisticsTest {

    private static final String DUMP = """
            --
            -- PostgreSQL database dump
            --

            -- Dumped from database version 15.8 (Debian 15.8-0+deb12u1)
            -- Dumped by pg_dump version 15.8 (Debian 15.8-0+deb12u1)

            SET statement_timeout = 0;
            CREATE TABLE public.orders (id integer, note text);
            COPY public.orders (id, note) FROM stdin;
            1\tfirst
            2\tsecond line with an escaped\\nnewline
            3\t\\\\. not an end marker
            \\.

            COPY "Odd Schema"."My \"\"Table\"\"\" (a) FROM stdin;
            \\.

            COPY public.empty_looking (a) FROM stdin;
            \\N
            \\.

            --
            -- PostgreSQL database dump complete
            --

            """;

    @Test
    void countsRowsPerTableAndReadsTheVersions() throws Exception {
        DumpStatistics statistics = read(DUMP, 7);

        assertThat(statistics.rows()).containsExactly(Map.entry("public.orders", 3L),
                Map.entry("\"Odd Schema\".\"My \"\"Table\"\"\"", 0L), Map.entry("public.empty_looking", 1L));
        assertThat(statistics.serverVersion()).isEqualTo("15.8 (Debian 15.8-0+deb12u1)");
        assertThat(statistics.dumpVersion()).isEqualTo("15.8 (Debian 15.8-0+deb12u1)");
        assertThat(statistics.isComplete()).isTrue();
        assertThat(statistics.bytes()).isEqualTo(DUMP.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aDumpCutShortFailsAtItsEnd() {
        String cut = DUMP.substring(0, DUMP.indexOf("2\tsecond"));
        assertThatThrownBy(() -> read(cut, 4096)).isInstanceOf(IncompleteDumpException.class)
                .hasMessageContaining("public.orders");
        String noTrailer = DUMP.substring(0, DUMP.indexOf("-- PostgreSQL database dump complete"));
        assertThatThrownBy(() -> read(noTrailer, 4096)).isInstanceOf(IncompleteDumpException.class)
                .hasMessageContaining("trailer");
    }

    @Test
    void aCopyHeaderLongerThanTheLineBufferStillCounts() throws Exception {
        StringBuilder columns = new StringBuilder();
        for (int i = 0; i < 900; i++) {
            columns.append(i == 0 ? "" : ", ").append("column_number_").append(i);
        }
        String dump = "COPY public.wide (" + columns + ") FROM stdin;\n1\n2\n\\.\n-- PostgreSQL database dump complete\n";
        assertThat(read(dump, 1000).rows()).containsExactly(Map.entry("public.wide", 2L));
    }

    @Test
    void theGlobalsDumpTrailerCounts() throws Exception {
        assertThat(read("CREATE ROLE app;\n--\n-- PostgreSQL database cluster dump complete\n--\n", 3).isComplete()).isTrue();
    }

    @Test
    void everyChunkSizeCountsTheSame() throws Exception {
        // rows of many lengths, with bytes that look like a newline to a careless word-at-a-time search
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            rows.append(i).append('\t').append("\u000b\u008a\u0a0a\t".repeat(i % 7)).append("x".repeat(i % 13)).append('\n');
        }
        String dump = "COPY public.t (a, b) FROM stdin;\n" + rows + "\\.\n-- PostgreSQL database dump complete\n";
        for (int chunk = 1; chunk <= 70; chunk++) {
            assertThat(read(dump, chunk).rows()).as("chunk %d", chunk).containsExactly(Map.entry("public.t", 500L));
        }
    }

    @Test
    void theNewlineSearchFindsTheFirstNewlineOrNone() {
        java.util.Random random = new java.util.Random(4);
        byte[] alphabet = {'\n', 0x0b, 0x09, (byte) 0x8a, (byte) 0x0a + 1, 0, (byte) 0xff, 'a'};
        for (int round = 0; round < 5000; round++) {
            byte[] data = new byte[random.nextInt(40)];
            for (int i = 0; i < data.length; i++) {
                data[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            int from = data.length == 0 ? 0 : random.nextInt(data.length);
            int to = from + (data.length == from ? 0 : random.nextInt(data.length - from + 1));
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (data[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertThat(DumpStatistics.indexOfNewline(data, from, to)).as("round %d", round).isEqualTo(expected);
        }
    }

    /**
     * A table whose name holds a line break and what looks like a second COPY header with a shell command: one table,
     * named whole as pg_dump wrote it (a name to_regclass accepts), with its rows.
     */
    @Test
    void aTableNameHoldingACopyLookingLineIsOneTableNamedWhole() throws Exception {
        String name = "public.\"x\nCOPY pg_class;\\!\ttouch /tmp/x;#\"";
        String dump = "COPY " + name + " (id) FROM stdin;\n1\n2\n3\n\\.\n-- PostgreSQL database dump complete\n";
        for (int chunk : new int[] {1, 5, 4096}) {
            assertThat(read(dump, chunk).rows()).as("chunk %d", chunk).containsExactly(Map.entry(name, 3L));
        }
    }

    /** A COPY-looking line inside a comment's string or a function's body is text: the tables and rows are the real ones. */
    @Test
    void copyLookingLinesInCommentsAndFunctionBodiesAreText() throws Exception {
        String fake = "COPY public.fake (a) FROM stdin;";
        String dump = "CREATE TABLE public.t (a int);\n"
                + "COMMENT ON TABLE public.t IS 'first line\n" + fake + "\n1\n\\.\nlast line';\n"
                + "CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n" + fake + "\nEND\n$$;\n"
                + "COPY public.t (a) FROM stdin;\n7\n8\n\\.\n"
                + "-- PostgreSQL database dump complete\n";
        for (int chunk : new int[] {1, 3, 4096}) {
            DumpStatistics statistics = read(dump, chunk);
            assertThat(statistics.rows()).as("chunk %d", chunk).containsExactly(Map.entry("public.t", 2L));
            assertThat(statistics.isComplete()).isTrue();
        }
    }

    /** Reads through the filter in chunks of {@code chunk} bytes, as the compressor does. */
    private static DumpStatistics read(String text, int chunk) throws Exception {
        DumpStatistics statistics = new DumpStatistics(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), true);
        byte[] buffer = new byte[chunk];
        try (InputStream in = statistics) {
            while (in.read(buffer, 0, chunk) >= 0) {
                // reading is the test
            }
        }
        return statistics;
    }
}
