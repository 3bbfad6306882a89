package io.pgbackup.run;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * The databases one run backs up: DB_NAME as one name, a comma list, or {@code *} (every database the user can
 * connect to, as listed by the server: exchange property {@value #SERVER_LIST}, one hex-encoded name a line), and the pseudo
 * database {@value #GLOBALS} (roles and tablespaces, pg_dumpall --globals-only) first when BACKUP_GLOBALS=true.
 * DB_NAME is read by {@link #parse} here and nowhere else.
 */
public class DatabaseList {

    public static final String GLOBALS = "@globals";
    public static final String SERVER_LIST = "serverDatabases";
    /** Exchange property: why a listed database was not backed up (a real database named @globals). */
    public static final String REFUSED = "refusedDatabase";

    /**
     * DB_NAME as read: {@code everyDatabase} for {@code *} alone (the server lists them), else the names of a name or
     * a comma list, stripped, each once, in the order given. {@code problem} says what is wrong with the value, in the
     * settings check's words, or is null. The names are there even with a problem: the settings check stops a run
     * that would use them, and the commands that do not (restore) must still start.
     */
    public record Names(boolean everyDatabase, List<String> names, String problem) {
    }

    private Names dbName = parse("");
    private boolean globals;

    /** The one reading of DB_NAME: the settings check, this list and the backup status all use it. */
    public static Names parse(String value) {
        String text = value == null ? "" : value;
        if (text.strip().equals("*")) {
            return new Names(true, List.of(), null);
        }
        Set<String> names = new LinkedHashSet<>();
        String problem = null;
        for (String part : text.split(",", -1)) {
            String name = part.strip();
            if (name.isEmpty()) {
                problem = problem != null ? problem : "'" + text + "' has an empty name (a name, a comma list, or *)";
                continue;
            }
            if (problem == null && (name.equals("*") || name.equals(GLOBALS))) {
                problem = "'" + name + "' cannot be part of a list (* alone means every database; use BACKUP_GLOBALS"
                        + " for roles)";
            }
            names.add(name);
        }
        return new Names(false, List.copyOf(names), problem);
    }

    public boolean needsServerList() {
        return dbName.everyDatabase();
    }

    public List<String> databases(Exchange exchange) {
        Set<String> result = new LinkedHashSet<>();
        if (globals) {
            result.add(GLOBALS);
        }
        if (needsServerList()) {
            for (String name : decode(exchange.getProperty(SERVER_LIST, "", String.class))) {
                if (name.equals(GLOBALS)) {
                    // not backed up (its key would be the roles backup's); the run reports it as failed after the others
                    exchange.setProperty(REFUSED, "the server has a database named '" + GLOBALS + "', the name pg-backup"
                            + " gives the roles backup (BACKUP_GLOBALS): it is not backed up; rename it, or list the"
                            + " databases to back up in DB_NAME");
                    continue;
                }
                result.add(name);
            }
            if (result.isEmpty() || result.equals(Set.of(GLOBALS))) {
                throw new IllegalStateException("DB_NAME=* but the server lists no database this user can connect to");
            }
        } else {
            result.addAll(dbName.names());
        }
        return new ArrayList<>(result);
    }

    /** The server's list: one hex-encoded UTF-8 name a line (list-databases), decoded exactly: nothing trimmed. */
    static List<String> decode(String listed) {
        List<String> names = new ArrayList<>();
        for (String line : listed.split("\n")) {
            String hex = line.strip();
            if (hex.isEmpty()) {
                continue;
            }
            try {
                names.add(new String(java.util.HexFormat.of().parseHex(hex), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("unexpected line in the server's list of databases: '" + hex + "'");
            }
        }
        return names;
    }

    /** The databases a test restore covers: those of a backup run, without {@value #GLOBALS}. */
    public List<String> restorableDatabases(Exchange exchange) {
        List<String> databases = databases(exchange);
        databases.remove(GLOBALS);
        return databases;
    }

    public void setNames(String names) {
        this.dbName = parse(names);
    }

    public void setGlobals(boolean globals) {
        this.globals = globals;
    }
}
