package io.pgbackup.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lexer's cases, each read whole and in pieces of every size from 1 to 17 bytes: the same events every time. */
@Timeout(30)
class SqlLexerTest {

    /** What a reader sees: statements (by their first tokens), meta command lines, COPY data, comments. */
    static List<String> events(String sql, int piece) {
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        SqlLexer lexer = new SqlLexer();
        List<String> seen = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += piece) {
            int to = Math.min(bytes.length, from + piece);
            for (int i = from; i < to; ) {
                i = lexer.scan(bytes, i, to);
                switch (lexer.event()) {
                    case STATEMENT_END -> seen.add("statement " + lexer.tokens());
                    case META_END -> seen.add("meta " + lexer.metaCommand());
                    case COPY_END -> seen.add("copy " + lexer.copyTable() + " " + lexer.copyRows());
                    case COMMENT_END -> seen.add("comment " + lexer.comment());
                    default -> {
                    }
                }
            }
        }
        return seen;
    }

    static List<String> eventsInEveryPieceSize(String sql) {
        List<String> whole = events(sql, Integer.MAX_VALUE);
        for (int piece = 1; piece <= 17; piece++) {
            assertThat(events(sql, piece)).as("pieces of %d bytes", piece).isEqualTo(whole);
        }
        return whole;
    }

    @Test
    void aQuotedTableNameWithALineBreakAndABackslashCommandIsOneName() {
        String name = "public.\"x\nCOPY pg_class;\\!\ttouch /tmp/x;#\"";
        List<String> seen = eventsInEveryPieceSize("COPY " + name + " (id) FROM stdin;\n1\n2\n\\.\nSELECT 1;\n");

        assertThat(seen).containsExactly("statement w:COPY w:public p:. q:\"x\nCOPY pg_class;\\!\ttouch /tmp/x;#\" p:( w:id p:) w:FROM",
                "copy " + name + " 2", "statement w:SELECT n:1");
        assertThat(SqlLexer.copyTableOf("COPY " + name + " (id) FROM stdin;")).isEqualTo(name);
        assertThat(SqlLexer.copyTableOf("COPY \"Odd \"\"Schema\"\"\".\"T\" (a) FROM stdin;")).isEqualTo("\"Odd \"\"Schema\"\"\".\"T\"");
        assertThat(SqlLexer.copyTableOf("COPY public.t (a) TO stdout;")).isNull();
    }

    /** A line that looks like a COPY header inside a string, an E'' string, a dollar quote or a comment is text. */
    @Test
    void copyLookingLinesInsideStringsBodiesAndCommentsAreText() {
        String fake = "COPY public.fake (a) FROM stdin;";
        String sql = "COMMENT ON TABLE public.t IS 'it''s\n" + fake + "\n';\n"
                + "COMMENT ON COLUMN public.t.a IS E'back\\'slash\n" + fake + "\n';\n"
                + "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $_$SELECT '$$'\n" + fake + "\n$_$;\n"
                + "CREATE FUNCTION public.g() RETURNS text LANGUAGE plpgsql AS $$\nBEGIN\n" + fake + "\nEND\n$$;\n"
                + "/* outer /* inner */\n" + fake + "\n*/\n"
                + "-- " + fake + "\n"
                + "COPY public.t (a) FROM stdin;\nreal row\n\\.\n";
        List<String> seen = eventsInEveryPieceSize(sql);

        assertThat(seen).filteredOn(e -> e.startsWith("copy ")).containsExactly("copy public.t 1");
        assertThat(seen).filteredOn(e -> e.startsWith("statement ")).hasSize(5);
        assertThat(seen).contains("comment -- " + fake);
    }

    @Test
    void dollarSignsThatOpenNoQuote() {
        // $1 is a parameter; a$b$ an identifier; only $tag$ (not starting with a digit) opens a quote
        List<String> seen = eventsInEveryPieceSize("PREPARE p AS SELECT $1;\nCREATE TABLE a$b$ (x int);\n"
                + "SELECT 1$a$;$a$;\nSELECT 2;\n");

        assertThat(seen).containsExactly("statement w:PREPARE w:p w:AS w:SELECT p:$ n:1",
                "statement w:CREATE w:TABLE w:a$b$ p:( w:x w:int p:)", "statement w:SELECT n:1 s:", "statement w:SELECT n:2");
    }

    /** psql's own rules: a semicolon inside parentheses or a BEGIN ATOMIC ... END body ends nothing. */
    @Test
    void semicolonsInsideParenthesesAndFunctionBodiesEndNoStatement() {
        String body = "CREATE FUNCTION public.h() RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT 1;\n"
                + " SELECT CASE WHEN true THEN 2 END;\nEND;\n";
        List<String> seen = eventsInEveryPieceSize(body + "CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2);\n"
                + "SELECT 3;\n");

        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).startsWith("statement w:CREATE w:FUNCTION");
        assertThat(seen.get(1)).startsWith("statement w:CREATE w:RULE");
        assertThat(seen.get(2)).isEqualTo("statement w:SELECT n:3");
    }

    @Test
    void backslashCommandLinesBetweenStatementsAndInside() {
        List<String> seen = eventsInEveryPieceSize("\\restrict AbC\nSELECT 'a\\b' \\gset\n;\nSELECT \"\\x\";\n\\unrestrict AbC\n"
                + "SELECT 1 \\; SELECT 2;\n");

        assertThat(seen).containsExactly("meta \\restrict AbC", "statement w:SELECT s: m:gset",
                "statement w:SELECT q:\"\\x\"", "meta \\unrestrict AbC", "statement w:SELECT n:1 p:; w:SELECT n:2");
    }

    /** Only a line that is exactly \. (or \.\r) ends the data; a row holding an escaped backslash and a dot does not. */
    @Test
    void copyDataEndsAtItsOwnLineOnly() {
        String rows = "1\t\\\\.\n\\.x\nGRANT ALL ON t TO u;\n" + "w".repeat(100) + "\n\n";
        List<String> seen = eventsInEveryPieceSize("copy t from STDIN;\n" + rows + "\\.\r\nCOPY u FROM stdin;\n\\.\n");

        assertThat(seen).containsExactly("statement w:copy w:t w:from w:STDIN", "copy t 5", "statement w:COPY w:u w:FROM w:stdin",
                "copy u 0");
    }

    @Test
    void identifiersAreUnquotedOrFoldedAsPostgresqlDoes() {
        SqlLexer lexer = new SqlLexer();
        byte[] sql = "COMMENT ON ROLE \"Mixed \"\"Case\"\"\nline\" IS 'x';\nALTER ROLE Plain_Name WITH LOGIN;\n".getBytes(StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sql.length; ) {
            i = lexer.scan(sql, i, sql.length);
            if (lexer.event() == SqlLexer.Event.STATEMENT_END) {
                names.add(lexer.tokens().identifier(lexer.tokens().isWord(0, "COMMENT") ? 3 : 2));
            }
        }
        assertThat(names).containsExactly("Mixed \"Case\"\nline", "plain_name");
    }
}
