package io.pgbackup.restore;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.sql.SqlLexer;
import io.pgbackup.sql.StatementFilter;
import io.pgbackup.sql.StatementTokens;

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
 * {@code t...}); {@link #filter} wraps the checked download in a stream that leaves the skipped statements out, whole
 * (SQL's lexing finds where each ends: a multi-line string in a role's comment is part of its statement).
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
        DatabaseRun.of(exchange).setSummary(summary);
        return summary;
    }

    /**
     * Statement by statement (SQL's lexing, {@link StatementFilter}): a statement that creates, alters or comments on a
     * role or tablespace the server has is left out whole, whatever strings it holds; the rest runs.
     */
    static final class Filtered extends StatementFilter {
        /** The statements about a role or tablespace: their first words, and what they are about. */
        private static final String[][] SUBJECTS = {{"role", "CREATE", "ROLE"}, {"role", "ALTER", "ROLE"},
                {"role", "COMMENT", "ON", "ROLE"}, {"tablespace", "CREATE", "TABLESPACE"},
                {"tablespace", "ALTER", "TABLESPACE"}, {"tablespace", "COMMENT", "ON", "TABLESPACE"}};

        private final Set<String> roles;
        private final Set<String> tablespaces;
        private final int[] counts;

        Filtered(InputStream in, Set<String> roles, Set<String> tablespaces, int[] counts) {
            super(in);
            this.roles = roles;
            this.tablespaces = tablespaces;
            this.counts = counts;
        }

        @Override
        protected Decision decide(SqlLexer lexer, boolean meta, boolean complete) {
            StatementTokens tokens = lexer.tokens();
            if (meta) {
                return Decision.KEEP;
            }
            boolean undecided = false;
            for (String[] subject : SUBJECTS) {
                int words = subject.length - 1;
                boolean matches = true;
                for (int i = 0; i < Math.min(tokens.count(), words); i++) {
                    matches &= tokens.isWord(i, subject[i + 1]);
                }
                if (matches && tokens.count() > words) {
                    return decide(subject[0], subject[1].equals("CREATE"), tokens.identifier(words));
                }
                undecided |= matches; // its first words so far, the name still to come
            }
            return undecided && !complete ? Decision.UNDECIDED : Decision.KEEP;
        }

        private Decision decide(String kind, boolean create, String name) {
            if (name == null) {
                return Decision.KEEP;
            }
            boolean role = kind.equals("role");
            boolean exists = (role ? roles : tablespaces).contains(name);
            if (create) {
                counts[(role ? 0 : 2) + (exists ? 1 : 0)]++;
                if (exists) {
                    LOG.info("{} {} exists on this server: skipped (left as it is)", kind, name);
                }
            }
            return exists ? Decision.DROP : Decision.KEEP;
        }
    }
}
