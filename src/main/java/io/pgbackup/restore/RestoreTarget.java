package io.pgbackup.restore;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a restore lands, and the SQL that moves it there. A backup is loaded into a fresh database with a temporary
 * name ({@link DatabaseRun#fresh}); only when every check passed is it renamed to the target ({@link DatabaseRun#target}), in one
 * transaction that, with {@code --replace}, first renames the existing target aside to
 * {@code NAME_before_YYYYMMDDHHMMSS} (never dropped). A fresh database is dropped when anything fails. Names only
 * ever reach PostgreSQL as quoted identifiers or literals in SQL sent on psql's standard input.
 */
public class RestoreTarget {

    /** Exchange property: true when an existing target is renamed aside (--replace). */
    public static final String REPLACE = "restoreReplace";
    /** PostgreSQL's limit on a name (NAMEDATALEN - 1), in bytes. */
    static final int MAX_NAME_BYTES = 63;

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    /** Why PostgreSQL would not take {@code name} as a database name, or null when it would. */
    public static String problemWithName(String name) {
        if (name == null || name.isEmpty()) {
            return "a database name cannot be empty";
        }
        if (name.indexOf('\0') >= 0) {
            return "a database name cannot contain a NUL character";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return "'" + name + "' is " + bytes + " bytes long; PostgreSQL names are at most " + MAX_NAME_BYTES
                    + " bytes (it would silently cut it)";
        }
        return null;
    }

    /** A fresh name for the load: {@code pgbackup_restore_YYYYMMDDHHMMSS_RANDOM}. */
    public String freshName(Exchange exchange) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        String name = "pgbackup_restore_" + STAMP.format(ZonedDateTime.now(zone(exchange))) + "_"
                + HexFormat.of().formatHex(random);
        DatabaseRun.of(exchange).setFresh(name);
        return name;
    }

    /** The test restore's scratch database: {@code pgbackup_verify_{database, letters and digits}_{time}}. */
    public String scratchName(Exchange exchange) {
        String database = DatabaseRun.of(exchange).databaseOr("db").toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        if (database.length() > 24) {
            database = database.substring(0, 24);
        }
        String name = "pgbackup_verify_" + database + "_" + STAMP.format(ZonedDateTime.now(zone(exchange)));
        DatabaseRun.of(exchange).setFresh(name);
        return name;
    }

    /** One row: whether the target exists, and how many sessions are connected to it. */
    public String checkQuery(Exchange exchange) {
        String target = literal(target(exchange));
        return "SET standard_conforming_strings = on;\nSELECT (SELECT count(*) FROM pg_catalog.pg_database WHERE datname = " + target + ") || '|' || "
                + "(SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = " + target + ");\n";
    }

    /**
     * Body: the answer to {@link #checkQuery}. Refuses an existing target without --replace, and one with sessions
     * connected; sets the run's {@link DatabaseRun#aside} when the existing target will be renamed aside.
     */
    public void judge(Exchange exchange) {
        String answer = exchange.getMessage().getBody(String.class);
        String[] fields = answer == null ? new String[0] : answer.strip().split("\\|");
        if (fields.length != 2 || !fields[0].matches("\\d+") || !fields[1].matches("\\d+")) {
            throw new IllegalStateException("could not tell whether database " + target(exchange) + " exists (psql said '"
                    + (answer == null ? "" : answer.strip()) + "')");
        }
        boolean exists = Integer.parseInt(fields[0]) > 0;
        int sessions = Integer.parseInt(fields[1]);
        String target = target(exchange);
        boolean replace = exchange.getProperty(REPLACE, false, Boolean.class);
        DatabaseRun.of(exchange).setAside(null);
        if (!exists) {
            return;
        }
        if (!replace) {
            throw new RestoreRefusedException("database " + target + " already exists; restore into a new name, or add"
                    + " --replace to rename the existing one aside (it is never dropped)");
        }
        if (sessions > 0) {
            throw new RestoreRefusedException("database " + target + " has " + sessions + " connected session"
                    + (sessions == 1 ? "" : "s") + "; it can only be renamed aside when nobody is connected to it");
        }
        DatabaseRun.of(exchange).setAside(asideName(target, ZonedDateTime.now(zone(exchange))));
    }

    /** Body: the answer to {@link #checkQuery}. restore --into-existing: the target must exist. */
    public void judgeExisting(Exchange exchange) {
        String answer = exchange.getMessage().getBody(String.class);
        String[] fields = answer == null ? new String[0] : answer.strip().split("\\|");
        if (fields.length != 2 || !fields[0].matches("\\d+")) {
            throw new IllegalStateException("could not tell whether database " + target(exchange) + " exists (psql said '"
                    + (answer == null ? "" : answer.strip()) + "')");
        }
        if (Integer.parseInt(fields[0]) == 0) {
            throw new RestoreRefusedException("database " + target(exchange) + " does not exist: --into-existing loads"
                    + " into an existing database; leave it out to create " + target(exchange));
        }
    }

    /** {@code NAME_before_YYYYMMDDHHMMSS}, the name cut (at a character) to fit PostgreSQL's 63 bytes. */
    static String asideName(String target, ZonedDateTime now) {
        String suffix = "_before_" + STAMP.format(now);
        String base = target;
        while ((base + suffix).getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            base = base.substring(0, base.offsetByCodePoints(base.length(), -1));
        }
        return base + suffix;
    }

    public String createSql(Exchange exchange) {
        return "CREATE DATABASE " + identifier(fresh(exchange)) + " TEMPLATE template0;\n";
    }

    /** One transaction: the existing target aside (with --replace), then the fresh database to the target's name. */
    public String renameSql(Exchange exchange) {
        String aside = DatabaseRun.of(exchange).aside();
        StringBuilder sql = new StringBuilder("BEGIN;\n");
        if (aside != null) {
            sql.append("ALTER DATABASE ").append(identifier(target(exchange))).append(" RENAME TO ")
                    .append(identifier(aside)).append(";\n");
        }
        sql.append("ALTER DATABASE ").append(identifier(fresh(exchange))).append(" RENAME TO ")
                .append(identifier(target(exchange))).append(";\nCOMMIT;\n");
        return sql.toString();
    }

    /** After the rename: what happened, for the log and the run's note (the restore's output). */
    public void renamed(Exchange exchange) {
        String aside = DatabaseRun.of(exchange).aside();
        if (aside != null) {
            LOG.warn("the existing database {} was renamed to {} (kept, not dropped: drop it yourself when no longer needed)",
                    target(exchange), aside);
            DatabaseRun.of(exchange).setNote("the previous " + target(exchange) + " is now " + aside);
        } else {
            DatabaseRun.of(exchange).setNote("");
        }
    }

    public String dropSql(Exchange exchange) {
        return "DROP DATABASE IF EXISTS " + identifier(fresh(exchange)) + " WITH (FORCE);\n";
    }

    /** A double-quoted SQL identifier. */
    public static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A standard SQL string literal (E'' is never used, so backslashes are plain characters). */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String target(Exchange exchange) {
        return DatabaseRun.of(exchange).target();
    }

    private static String fresh(Exchange exchange) {
        String fresh = DatabaseRun.of(exchange).fresh();
        if (fresh == null || !fresh.matches("pgbackup_(restore|verify)_[a-z0-9_]+")) {
            throw new IllegalStateException("no fresh database name was chosen");
        }
        return fresh;
    }

    private static ZoneId zone(Exchange exchange) {
        try {
            return ZoneId.of(SettingsDeclaration.value(exchange.getContext(), "backup.timezone"));
        } catch (RuntimeException e) {
            return ZoneId.systemDefault();
        }
    }

    /** The restore will not go ahead: the target is taken, or in use. Nothing was changed. */
    public static class RestoreRefusedException extends IllegalStateException {
        public RestoreRefusedException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "RestoreTarget";
    }
}
