package io.pgbackup;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * The databases one run backs up: DB_NAME as one name, a comma list, or {@code *} (every database the user can
 * connect to, as listed by the server: exchange property {@value #SERVER_LIST}, one name a line), and the pseudo
 * database {@value #GLOBALS} (roles and tablespaces, pg_dumpall --globals-only) first when BACKUP_GLOBALS=true.
 */
public class DatabaseList {

    public static final String GLOBALS = "@globals";
    public static final String SERVER_LIST = "serverDatabases";

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
            String listed = exchange.getProperty(SERVER_LIST, "", String.class);
            listed.lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(result::add);
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
