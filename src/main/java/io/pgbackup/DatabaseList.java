package io.pgbackup;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * The databases one run backs up: DB_NAME as one name, a comma list, or {@code *} (every database the user can
 * connect to, as listed by the server: exchange property {@value #SERVER_LIST}, one hex-encoded name a line), and the pseudo
 * database {@value #GLOBALS} (roles and tablespaces, pg_dumpall --globals-only) first when BACKUP_GLOBALS=true.
 */
public class DatabaseList {

    public static final String GLOBALS = "@globals";
    public static final String SERVER_LIST = "serverDatabases";
    /** Exchange property: why a listed database was not backed up (a real database named @globals). */
    public static final String REFUSED = "refusedDatabase";

    private String names = "";
    private boolean globals;

    public boolean needsServerList() {
        return names.strip().equals("*");
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
            for (String name : names.split(",")) {
                if (!name.isBlank()) {
                    result.add(name.strip());
                }
            }
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
        this.names = names == null ? "" : names;
    }

    public void setGlobals(boolean globals) {
        this.globals = globals;
    }
}
