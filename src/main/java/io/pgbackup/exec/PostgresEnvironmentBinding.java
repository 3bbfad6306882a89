package io.pgbackup.exec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgbackup.run.RunProperties;
import io.pgbackup.secret.Secret;
import io.pgbackup.secret.SecretValueReader;
import io.pgbackup.settings.RunEnvironment;

import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.impl.DefaultExecBinding;

/**
 * Exec binding for the PostgreSQL clients (pg_dump, pg_dumpall, psql, pg_restore). Everything that says where to
 * connect goes into the child's environment, never through camel-exec's argument tokenizer: {@code PGHOST},
 * {@code PGPORT}, {@code PGUSER}, {@code PGDATABASE} (libpq takes it literally: a database named
 * {@code host=evil port=1} is a name, not a connection string), {@code PGPASSWORD} (never in argv), {@code PGSSLMODE}
 * and {@code PGSSLROOTCERT} (DB_SSLMODE, DB_SSLROOTCERT), the connect timeout and the application name. The route's
 * {@code CamelExecCommandArgs} hold only the route's own options.
 * <p>
 * Exchange property {@value RunProperties#PG_SERVER} chooses the server: {@code source} (DB_HOST, the default), {@code verify}
 * (VERIFY_DB_HOST, the test restore's) or {@code restore} (RESTORE_DB_HOST, where restore loads); header
 * {@value #DATABASE} the database (default: the server's maintenance database). pg_dumpall ignores PGDATABASE, so it
 * gets {@code --database=} with the name quoted as a connection string value, as one argument; so does pg_restore
 * when header {@value #DATABASE} names one (without it pg_restore writes SQL instead of connecting).
 */
public class PostgresEnvironmentBinding extends DefaultExecBinding {

    /**
     * What a child inherits from the command's environment ({@link RunEnvironment}): where programs are, the home
     * folder (libpq's ~/.postgresql), locale, time zone; nothing else of it (its keys, passwords and URLs).
     */
    public static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
            "TZ", "TMPDIR");
    /** Header: which database on it (read and removed, like camel-exec's own headers). */
    public static final String DATABASE = "PgDatabase";

    /** One PostgreSQL server: where it is, who logs in, and its maintenance database. */
    public record Server(String host, String port, String user, String maintenanceDatabase) {
    }

    // set from the settings by routes/beans.yaml (their defaults are declared once, in application.properties)
    private int connectTimeoutSeconds;
    private String sslMode;
    private String sslRootCert = "";
    private String sourceHost;
    private String sourcePort;
    private String sourceUser;
    private String sourceMaintenanceDatabase;
    private String verifyHost;
    private String verifyPort;
    private String verifyUser;
    private String verifyMaintenanceDatabase;
    private String restoreHost;
    private String restorePort;
    private String restoreUser;
    private String restoreMaintenanceDatabase;

    @Override
    public ExecCommand readInput(Exchange exchange, ExecEndpoint endpoint) {
        ExecCommand command = super.readInput(exchange, endpoint);
        Server server = server(exchange.getProperty(RunProperties.PG_SERVER, "source", String.class));
        String database = exchange.getMessage().getHeader(DATABASE, String.class);
        boolean databaseGiven = database != null && !database.isEmpty();
        exchange.getMessage().removeHeader(DATABASE);
        if (database == null || database.isEmpty()) {
            database = server.maintenanceDatabase();
        }
        Map<String, String> environment = new LinkedHashMap<>(RunEnvironment.of(exchange.getContext()).only(INHERITED));
        Secret password = exchange.getProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.class);
        if (password != null && !password.isEmpty()) {
            environment.put("PGPASSWORD", password.reveal());
        }
        environment.put("PGHOST", server.host());
        environment.put("PGPORT", server.port());
        environment.put("PGUSER", server.user());
        environment.put("PGDATABASE", database);
        environment.put("PGAPPNAME", "pg-backup");
        environment.put("PGCONNECT_TIMEOUT", Integer.toString(connectTimeoutSeconds));
        environment.put("PGSSLMODE", sslMode);
        if (!sslRootCert.isEmpty()) {
            environment.put("PGSSLROOTCERT", sslRootCert);
        }
        List<String> args = new ArrayList<>(command.getArgs());
        String program = Path.of(command.getExecutable()).getFileName().toString();
        if (program.startsWith("pg_dumpall")) {
            args.add("--database=" + connectionValue("dbname", database));
        } else if (program.startsWith("pg_restore") && databaseGiven) {
            // pg_restore connects only when told a database (else it writes SQL): named as a connection string value
            args.add("--dbname=" + connectionValue("dbname", database));
        }
        ExecCommand withArgs = new ExecCommand(command.getExecutable(), args, command.getWorkingDir(), command.getTimeout(),
                command.getExitValues(), command.getInput(), command.getOutFile(), command.isUseStderrOnEmptyStdout(),
                command.getCommandLogLevel());
        return new CommandWithEnvironment(withArgs, environment);
    }

    /** {@code keyword='value'} with quotes and backslashes escaped, as libpq reads a connection string. */
    public static String connectionValue(String keyword, String value) {
        return keyword + "='" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    public Server server(String name) {
        return switch (name) {
            case "source" -> new Server(sourceHost, sourcePort, sourceUser, sourceMaintenanceDatabase);
            case "verify" -> new Server(orElse(verifyHost, sourceHost), orElse(verifyPort, sourcePort),
                    orElse(verifyUser, sourceUser), orElse(verifyMaintenanceDatabase, sourceMaintenanceDatabase));
            case "restore" -> new Server(orElse(restoreHost, sourceHost), orElse(restorePort, sourcePort),
                    orElse(restoreUser, sourceUser), orElse(restoreMaintenanceDatabase, sourceMaintenanceDatabase));
            default -> throw new IllegalArgumentException("unknown PostgreSQL server '" + name
                    + "' (source, verify or restore)");
        };
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    public void setConnectTimeoutSeconds(int connectTimeoutSeconds) {
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    public void setSslMode(String sslMode) {
        this.sslMode = sslMode.strip();
    }

    public void setSslRootCert(String sslRootCert) {
        this.sslRootCert = sslRootCert == null ? "" : sslRootCert.strip();
    }

    public void setSourceHost(String sourceHost) {
        this.sourceHost = sourceHost;
    }

    public void setSourcePort(String sourcePort) {
        this.sourcePort = sourcePort;
    }

    public void setSourceUser(String sourceUser) {
        this.sourceUser = sourceUser;
    }

    public void setSourceMaintenanceDatabase(String sourceMaintenanceDatabase) {
        this.sourceMaintenanceDatabase = sourceMaintenanceDatabase;
    }

    public void setVerifyHost(String verifyHost) {
        this.verifyHost = verifyHost;
    }

    public void setVerifyPort(String verifyPort) {
        this.verifyPort = verifyPort;
    }

    public void setVerifyUser(String verifyUser) {
        this.verifyUser = verifyUser;
    }

    public void setVerifyMaintenanceDatabase(String verifyMaintenanceDatabase) {
        this.verifyMaintenanceDatabase = verifyMaintenanceDatabase;
    }

    public void setRestoreHost(String restoreHost) {
        this.restoreHost = restoreHost;
    }

    public void setRestorePort(String restorePort) {
        this.restorePort = restorePort;
    }

    public void setRestoreUser(String restoreUser) {
        this.restoreUser = restoreUser;
    }

    public void setRestoreMaintenanceDatabase(String restoreMaintenanceDatabase) {
        this.restoreMaintenanceDatabase = restoreMaintenanceDatabase;
    }
}
