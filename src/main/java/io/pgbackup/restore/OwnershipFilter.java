package io.pgbackup.restore;

import java.io.InputStream;

import io.pgbackup.sql.SqlLexer;
import io.pgbackup.sql.StatementFilter;
import io.pgbackup.sql.StatementTokens;

import org.apache.camel.Exchange;

/**
 * {@code restore --no-owner} and {@code --no-privileges} for a plain SQL backup, as pg_restore has them: the
 * statements that name roles are left out as the dump streams into psql, so a backup restores into a server that does
 * not have the source's roles (a staging server), everything then belonging to the user restoring it.
 * <ul>
 * <li>--no-owner: {@code ALTER ... OWNER TO ...;}</li>
 * <li>--no-privileges: {@code GRANT ...;}, {@code REVOKE ...;} and {@code ALTER DEFAULT PRIVILEGES ...;}</li>
 * </ul>
 * The unit is the statement as SQL's lexing finds it ({@link StatementFilter}), left out whole: the rows of a
 * {@code COPY ... FROM stdin;} block are data, and a line inside a function's body or a multi-line string is text;
 * both pass untouched whatever they hold (a row, or a function, may well have a line beginning with "GRANT"). With
 * {@code dropRestrict} the dump's own {@code \restrict KEY} / {@code &#92;unrestrict KEY} command lines go too. The
 * stream is filtered in bytes (no decoding), so it keeps up with the load, and holds no more than a short statement.
 */
public final class OwnershipFilter extends StatementFilter {

    /** Exchange properties set by the restore command. */
    public static final String NO_OWNER = "restoreNoOwner";
    public static final String NO_PRIVILEGES = "restoreNoPrivileges";

    private final boolean noOwner;
    private final boolean noPrivileges;
    private final boolean dropRestrict;

    public OwnershipFilter(InputStream in, boolean noOwner, boolean noPrivileges) {
        this(in, noOwner, noPrivileges, false);
    }

    /**
     * @param dropRestrict also leave out the dump's own {@code \restrict KEY} and {@code &#92;unrestrict KEY} lines
     *                     (pg_dump 15.14 and later write them): the restore puts its own key in front (MetaCommandGuard)
     */
    public OwnershipFilter(InputStream in, boolean noOwner, boolean noPrivileges, boolean dropRestrict) {
        super(in);
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

    /** How many statements were left out so far. */
    public long skipped() {
        return dropped();
    }

    @Override
    protected Decision decide(SqlLexer lexer, boolean meta, boolean complete) {
        if (meta) {
            if (!dropRestrict) {
                return Decision.KEEP;
            }
            if (!complete) {
                return Decision.UNDECIDED;
            }
            String command = lexer.metaCommand();
            return command.startsWith("\\restrict ") || command.startsWith("\\unrestrict ") ? Decision.DROP : Decision.KEEP;
        }
        StatementTokens tokens = lexer.tokens();
        if (!noOwner && !noPrivileges) {
            return Decision.KEEP;
        }
        if (tokens.count() == 0) {
            return complete ? Decision.KEEP : Decision.UNDECIDED;
        }
        if (tokens.isWord(0, "GRANT") || tokens.isWord(0, "REVOKE")) {
            return noPrivileges ? Decision.DROP : Decision.KEEP;
        }
        if (!tokens.isWord(0, "ALTER")) {
            return Decision.KEEP;
        }
        if (noPrivileges && tokens.areWords(1, "DEFAULT", "PRIVILEGES") || noOwner && lexer.ownerTo()) {
            return Decision.DROP;
        }
        return complete ? Decision.KEEP : Decision.UNDECIDED;
    }
}
