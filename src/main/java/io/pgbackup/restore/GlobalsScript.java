package io.pgbackup.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import io.pgbackup.streams.BulkInputStream;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restoring the roles backup ({@code @globals}, pg_dumpall --globals-only) onto a server that already has some of
 * its roles: every statement that creates or alters a role (or a tablespace) that exists on the server is left out
 * and logged as skipped, everything else runs, one statement at a time and outside a transaction block (CREATE
 * TABLESPACE cannot run inside one), stopping at the first real error. So the missing roles are created, the
 * existing ones (among them the role pg-backup connects as, whose own CREATE ROLE would fail) are left as they are.
 * <p>
 * {@link #existing} reads the server's roles and tablespaces (hex-encoded names, one a line: {@code r...} or
 * {@code t...}); {@link #filter} wraps the checked download in a stream that comments out the skipped statements.
 */
public class GlobalsScript {

    /** The query whose answer {@link #existing} reads. */
    public static final String EXISTING_QUERY = "SELECT 'r' || encode(convert_to(rolname::text, 'UTF8'), 'hex')"
            + " FROM pg_catalog.pg_roles UNION ALL SELECT 't' || encode(convert_to(spcname::text, 'UTF8'), 'hex')"
            + " FROM pg_catalog.pg_tablespace;\n";
    private static final String ROLES = "globalsExistingRoles";
    private static final String TABLESPACES = "globalsExistingTablespaces";
    private static final String COUNTS = "globalsCounts";

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");

    public String existingQuery() {
        return EXISTING_QUERY;
    }

    /** Body: the answer to {@link #EXISTING_QUERY}. */
    public void existing(Exchange exchange) {
        Set<String> roles = new HashSet<>();
        Set<String> tablespaces = new HashSet<>();
        String answer = exchange.getMessage().getBody(String.class);
        for (String line : (answer == null ? "" : answer).split("\n")) {
            String item = line.strip();
            if (item.length() < 1) {
                continue;
            }
            String name = new String(HexFormat.of().parseHex(item.substring(1)), StandardCharsets.UTF_8);
            (item.charAt(0) == 'r' ? roles : tablespaces).add(name);
        }
        exchange.setProperty(ROLES, roles);
        exchange.setProperty(TABLESPACES, tablespaces);
    }

    /** Body: the checked download of the roles backup; returns the script psql runs (behind a restrict key). */
    @SuppressWarnings("unchecked")
    public InputStream filter(Exchange exchange) throws Exception {
        int[] counts = new int[4];
        exchange.setProperty(COUNTS, counts);
        Filtered script = new Filtered(exchange.getMessage().getMandatoryBody(InputStream.class),
                exchange.getProperty(ROLES, Set.class), exchange.getProperty(TABLESPACES, Set.class), counts);
        // psql runs no backslash command the backup holds (MetaCommandGuard), as for a database's restore
        return MetaCommandGuard.guard(exchange, script, false, false);
    }

    /** After psql ran it: "roles: 2 created, 3 existed (skipped); tablespaces: 0 created, 0 existed (skipped)". */
    public String summary(Exchange exchange) {
        int[] counts = exchange.getProperty(COUNTS, int[].class);
        String summary = "roles: " + counts[0] + " created, " + counts[1] + " existed (skipped); tablespaces: " + counts[2]
                + " created, " + counts[3] + " existed (skipped)";
        exchange.setProperty(RowCountCheck.SUMMARY, summary);
        return summary;
    }

    /** The role or tablespace a statement is about, when it creates or alters one; else null. */
    static String[] subject(String line) {
        for (String[] prefix : new String[][] {{"CREATE ROLE ", "role"}, {"ALTER ROLE ", "role"}, {"COMMENT ON ROLE ", "role"},
                {"CREATE TABLESPACE ", "tablespace"}, {"ALTER TABLESPACE ", "tablespace"},
                {"COMMENT ON TABLESPACE ", "tablespace"}}) {
            if (line.startsWith(prefix[0])) {
                String name = identifier(line.substring(prefix[0].length()));
                return name == null ? null : new String[] {prefix[1], name, prefix[0]};
            }
        }
        return null;
    }

    /** The identifier at the start of {@code text}: "quoted" (with "" for a quote) or bare (up to a space or ;). */
    static String identifier(String text) {
        if (text.startsWith("\"")) {
            StringBuilder name = new StringBuilder();
            for (int i = 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        name.append('"');
                        i++;
                    } else {
                        return name.toString();
                    }
                } else {
                    name.append(c);
                }
            }
            return null;
        }
        int end = 0;
        while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != ';') {
            end++;
        }
        return end == 0 ? null : text.substring(0, end);
    }

    /** Line by line: statements about existing roles and tablespaces become comments. */
    private static final class Filtered extends BulkInputStream {
        private final InputStream in;
        private final Set<String> roles;
        private final Set<String> tablespaces;
        private final int[] counts;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private byte[] pending = new byte[0];
        private int position;
        private boolean skippingStatement;
        private boolean ended;

        Filtered(InputStream in, Set<String> roles, Set<String> tablespaces, int[] counts) {
            this.in = in;
            this.roles = roles;
            this.tablespaces = tablespaces;
            this.counts = counts;
        }


        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            while (position >= pending.length) {
                if (ended) {
                    return -1;
                }
                nextLine();
            }
            int n = Math.min(length, pending.length - position);
            System.arraycopy(pending, position, buffer, offset, n);
            position += n;
            return n;
        }

        private void nextLine() throws IOException {
            line.reset();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            if (b < 0) {
                ended = true;
                if (line.size() == 0) {
                    pending = new byte[0];
                    position = 0;
                    return;
                }
            }
            String text = line.toString(StandardCharsets.UTF_8);
            pending = (transform(text) + (b < 0 ? "" : "\n")).getBytes(StandardCharsets.UTF_8);
            position = 0;
        }

        private String transform(String text) {
            if (skippingStatement) {
                skippingStatement = !text.endsWith(";");
                return "-- (skipped) " + text;
            }
            String[] subject = subject(text);
            if (subject == null) {
                return text;
            }
            boolean role = subject[0].equals("role");
            boolean exists = (role ? roles : tablespaces).contains(subject[1]);
            if (subject[2].startsWith("CREATE")) {
                counts[(role ? 0 : 2) + (exists ? 1 : 0)]++;
                if (exists) {
                    LOG.info("{} {} exists on this server: skipped (left as it is)", subject[0], subject[1]);
                }
            }
            if (!exists) {
                return text;
            }
            skippingStatement = !text.endsWith(";");
            return "-- pg-backup: skipped, " + subject[0] + " exists: " + text;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
