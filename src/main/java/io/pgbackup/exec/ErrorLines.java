package io.pgbackup.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * The last lines of a child's stderr worth telling in a failure line and a notification: what the program said, not
 * what it was fed. PostgreSQL's clients print an error as an {@code ERROR:} line followed by lines that quote the data
 * or the SQL that failed: {@code DETAIL:  Failing row contains (...)} / {@code Key (id)=(...)}, {@code CONTEXT:  COPY t,
 * line 3, column a: "..."}, {@code LINE 1: ...} with its caret line, {@code QUERY:}, {@code STATEMENT:}, pg_restore's
 * {@code Command was: ...} (the archive's SQL, with its continuation lines). Those are left out, with any line that
 * continues them; the ERROR line (and HINT, FATAL, the program's own lines) stays. Every line is cut at
 * {@value #MAX_LINE_BYTES} bytes and only the last {@code maxBytes} of kept lines are held, so a chatty child never
 * fills the heap.
 */
final class ErrorLines {

    static final int MAX_LINE_BYTES = 512;

    /** An optional "psql:FILE:LINE: " prefix (psql reading a script), then the label of a server message line. */
    private static final Pattern PSQL_PREFIX = Pattern.compile("^psql:[^:]*:\\d+:\\s*");
    private static final Pattern QUOTING = Pattern.compile(
            "^(DETAIL|CONTEXT|QUERY|STATEMENT|WHERE|LOCATION):.*|^LINE \\d+:.*|^Command was:.*|^\\s*\\^\\s*$");
    private static final Pattern MESSAGE_START = Pattern.compile(
            "^(ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|LOG|HINT|DEBUG\\d?):.*|^(psql|pg_restore|pg_dump|pg_dumpall)(:|\\s).*");

    private final int maxBytes;
    private final Deque<String> kept = new ArrayDeque<>();
    private int keptBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean lineCut;
    /** The lines read last belong to a message that quotes data: its continuation lines are left out too. */
    private boolean dropping;

    ErrorLines(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    void write(byte[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                endLine();
            } else if (line.size() < MAX_LINE_BYTES) {
                line.write(b);
            } else {
                lineCut = true;
            }
        }
    }

    /** The kept lines (and the line being read, when kept), joined by " | ". */
    String tail() {
        StringBuilder out = new StringBuilder();
        for (String text : kept) {
            out.append(out.length() == 0 ? "" : " | ").append(text);
        }
        String partial = current();
        Verdict verdict = partial.isBlank() ? Verdict.QUOTING : verdict(partial);
        if (verdict == Verdict.MESSAGE || verdict == Verdict.OTHER && !dropping) {
            out.append(out.length() == 0 ? "" : " | ").append(partial);
        }
        return out.toString().strip();
    }

    private void endLine() {
        String text = current();
        line.reset();
        lineCut = false;
        if (text.isBlank()) {
            return; // a blank line neither starts nor ends a message (SQL after "Command was:" may hold some)
        }
        Verdict verdict = verdict(text);
        if (verdict == Verdict.QUOTING) {
            dropping = true;
        } else if (verdict == Verdict.MESSAGE) {
            dropping = false;
        }
        if (verdict != Verdict.QUOTING && !dropping) {
            kept.addLast(text);
            keptBytes += text.length() + 3;
            while (keptBytes > maxBytes && kept.size() > 1) {
                keptBytes -= kept.removeFirst().length() + 3;
            }
        }
    }

    private enum Verdict { MESSAGE, QUOTING, OTHER }

    /** A line that quotes data, one that starts a message of its own, or another (continuing the one before). */
    private static Verdict verdict(String text) {
        java.util.regex.Matcher prefix = PSQL_PREFIX.matcher(text);
        boolean psqlsOwn = prefix.find();
        String message = psqlsOwn ? text.substring(prefix.end()) : text;
        if (QUOTING.matcher(message).matches()) {
            return Verdict.QUOTING;
        }
        if (psqlsOwn || MESSAGE_START.matcher(message).matches()) {
            return Verdict.MESSAGE;
        }
        return Verdict.OTHER;
    }

    private String current() {
        String text = line.toString(StandardCharsets.UTF_8).strip();
        return lineCut ? text + "…" : text;
    }
}
