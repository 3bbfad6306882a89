package io.pgbackup.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What of a PostgreSQL client's stderr goes into a failure line: its error lines, never the rows or SQL it quotes. */
@Timeout(30)
class ErrorLinesTest {

    private static String tail(String stderr) {
        ErrorLines lines = new ErrorLines(2048);
        byte[] bytes = stderr.getBytes(StandardCharsets.UTF_8);
        // in uneven pieces, as a pipe delivers them
        for (int i = 0; i < bytes.length; i += 7) {
            lines.write(bytes, i, Math.min(7, bytes.length - i));
        }
        return lines.tail();
    }

    @Test
    void psqlsCopyFailureKeepsTheErrorLineAndLeavesOutTheRow() {
        String tail = tail("""
                psql:<stdin>:41: ERROR:  new row for relation "accounts" violates check constraint "accounts_iban_check"
                DETAIL:  Failing row contains (7, DE44500105175407324931, secret note).
                CONTEXT:  COPY accounts, line 3: "7	DE44500105175407324931	secret note"
                """);

        assertThat(tail).isEqualTo("psql:<stdin>:41: ERROR:  new row for relation \"accounts\" violates check"
                + " constraint \"accounts_iban_check\"");
    }

    @Test
    void aDuplicateKeysValueAndASyntaxErrorsQuotedLineAreLeftOut() {
        String tail = tail("""
                psql:<stdin>:12: ERROR:  duplicate key value violates unique constraint "users_email_key"
                DETAIL:  Key (email)=(kim@example.com) already exists.
                CONTEXT:  COPY users, line 2
                psql:<stdin>:90: ERROR:  syntax error at or near "secret"
                LINE 1: INSERT INTO t VALUES ('secret value'
                                               ^
                HINT:  No function matches the given name.
                """);

        assertThat(tail).contains("ERROR:  duplicate key value violates unique constraint \"users_email_key\"")
                .contains("ERROR:  syntax error at or near").contains("HINT:  No function matches")
                .doesNotContain("kim@example.com").doesNotContain("secret value").doesNotContain("COPY users");
    }

    @Test
    void pgRestoresCommandWasAndItsContinuationLinesAreLeftOut() {
        String tail = tail("""
                pg_restore: error: could not execute query: ERROR:  relation "t" already exists
                Command was: CREATE TABLE public.t (
                    id integer,
                    card text DEFAULT '4111 1111 1111 1111'::text
                );

                pg_restore: warning: errors ignored on restore: 1
                """);

        assertThat(tail).isEqualTo("pg_restore: error: could not execute query: ERROR:  relation \"t\" already exists"
                + " | pg_restore: warning: errors ignored on restore: 1");
    }

    @Test
    void psqlsOwnLinesAfterAQuotingLineStay() {
        String tail = tail("""
                psql:<stdin>:4: NOTICE:  table "x" does not exist, skipping
                CONTEXT:  SQL statement "DROP TABLE IF EXISTS x"
                psql:<stdin>:5: server closed the connection unexpectedly
                	This probably means the server terminated abnormally
                """);

        assertThat(tail).contains("NOTICE:  table").contains("server closed the connection unexpectedly")
                .contains("This probably means").doesNotContain("SQL statement");
    }

    @Test
    void otherProgramsLinesStayAndALongLineIsCut() {
        assertThat(tail("connection lost\nsecond line\n")).isEqualTo("connection lost | second line");
        assertThat(tail("x".repeat(5000))).hasSize(ErrorLines.MAX_LINE_BYTES + 1).endsWith("x…");
        assertThat(tail("ERROR: a\n" + "line\n".repeat(2000) + "ERROR: last\n")).endsWith("line | ERROR: last")
                .hasSizeLessThanOrEqualTo(2048);
    }
}
