package io.pgbackup.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several pg-backup instances share one schedule through Quartz's clustered JDBC job store on PostgreSQL
 * (SCHEDULER_JDBC_URL, _USER, _PASSWORD). Each fire runs on exactly one instance; the backup job is
 * non-concurrent cluster-wide (stateful) and requests recovery, so a fire whose instance died mid-run is run
 * again by a survivor. Without SCHEDULER_JDBC_URL the in-memory scheduler of a single instance is used.
 * <p>
 * The Quartz tables are created at start when missing, from the script Quartz ships for PostgreSQL (its DROP
 * statements left out), under an advisory lock so that instances starting together do not race.
 */
public final class ClusteredScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ClusteredScheduler.class);
    private static final String SCHEMA_SCRIPT = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";
    private static final long SCHEMA_LOCK = 0x70676261636bL; // "pgback"

    private ClusteredScheduler() {
    }

    /** Configures the quartz component for the cluster when SCHEDULER_JDBC_URL is set; returns whether it did. */
    public static boolean configure(CamelContext context) {
        String given = SettingsDeclaration.value(context, "scheduler.jdbc.url");
        if (given.isEmpty()) {
            return false;
        }
        String url = withSsl(given, SettingsDeclaration.value(context, "db.sslmode"), SettingsDeclaration.value(context, "db.sslrootcert"));
        String user = SettingsDeclaration.value(context, "scheduler.jdbc.user");
        String password = SettingsDeclaration.value(context, "scheduler.jdbc.password");
        ensureSchema(url, user, password);
        Properties quartz = new Properties();
        quartz.setProperty("org.quartz.scheduler.instanceName", "pg-backup");
        quartz.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        quartz.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        quartz.setProperty("org.quartz.threadPool.threadCount", "2");
        quartz.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        quartz.setProperty("org.quartz.jobStore.dataSource", "pgbackup");
        quartz.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        quartz.setProperty("org.quartz.jobStore.isClustered", "true");
        quartz.setProperty("org.quartz.jobStore.clusterCheckinInterval", SettingsDeclaration.value(context, "scheduler.cluster.checkin.ms"));
        quartz.setProperty("org.quartz.jobStore.misfireThreshold", SettingsDeclaration.value(context, "scheduler.misfire.threshold.ms"));
        quartz.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        // job data as string properties, not Java-serialized objects: what camel-quartz keeps there is all strings
        // (context name, endpoint URI, trigger type, cron and time zone), and nothing read from the shared database is
        // ever deserialized
        quartz.setProperty("org.quartz.jobStore.useProperties", "true");
        quartz.setProperty("org.quartz.dataSource.pgbackup.provider", "hikaricp");
        quartz.setProperty("org.quartz.dataSource.pgbackup.driver", "org.postgresql.Driver");
        quartz.setProperty("org.quartz.dataSource.pgbackup.URL", url);
        quartz.setProperty("org.quartz.dataSource.pgbackup.user", user);
        quartz.setProperty("org.quartz.dataSource.pgbackup.password", password);
        quartz.setProperty("org.quartz.dataSource.pgbackup.maxConnections", "4");
        QuartzComponent component = context.getComponent("quartz", QuartzComponent.class);
        component.setProperties(quartz);
        component.setPrefixInstanceName(false);
        LOG.info("clustered schedule: Quartz JDBC job store at {}", masked(url));
        return true;
    }

    /**
     * DB_SSLMODE and DB_SSLROOTCERT for the scheduler's connections too (pgjdbc reads the same names), unless the URL
     * sets them itself.
     */
    static String withSsl(String url, String sslmode, String rootcert) {
        StringBuilder result = new StringBuilder(url);
        String separator = url.contains("?") ? "&" : "?";
        if (!sslmode.isEmpty() && !url.contains("sslmode=")) {
            result.append(separator).append("sslmode=").append(java.net.URLEncoder.encode(sslmode, StandardCharsets.UTF_8));
            separator = "&";
        }
        if (!rootcert.isEmpty() && !url.contains("sslrootcert=")) {
            result.append(separator).append("sslrootcert=").append(java.net.URLEncoder.encode(rootcert, StandardCharsets.UTF_8));
        }
        return result.toString();
    }

    /** A JDBC URL fit for a log line: no password, whether as a parameter or as user:password@. */
    static String masked(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1******").replaceAll("//([^/@]*):[^/@]*@", "//$1:******@");
    }

    /** Creates the Quartz tables when they are missing; safe to run from several instances at once. */
    static void ensureSchema(String url, String user, String password) {
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                if (tableExists(connection)) {
                    connection.commit();
                    return;
                }
                for (String sql : schemaStatements()) {
                    statement.execute(sql);
                }
            }
            connection.commit();
            LOG.info("created the Quartz tables for the clustered schedule");
        } catch (SQLException e) {
            throw new IllegalStateException("SCHEDULER_JDBC_URL: cannot prepare the Quartz tables: " + e.getMessage(), e);
        }
    }

    private static boolean tableExists(Connection connection) throws SQLException {
        try (ResultSet tables = connection.createStatement()
                .executeQuery("SELECT to_regclass('qrtz_locks') IS NOT NULL")) {
            return tables.next() && tables.getBoolean(1);
        }
    }

    static java.util.List<String> schemaStatements() {
        String script;
        try (InputStream in = ClusteredScheduler.class.getClassLoader().getResourceAsStream(SCHEMA_SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("Quartz's " + SCHEMA_SCRIPT + " is not on the classpath");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SCHEMA_SCRIPT, e);
        }
        java.util.List<String> statements = new java.util.ArrayList<>();
        for (String raw : script.replaceAll("(?m)^--.*$", "").split(";")) {
            String sql = raw.strip();
            if (!sql.isEmpty() && !sql.toUpperCase(java.util.Locale.ROOT).startsWith("DROP ")
                    && !sql.equalsIgnoreCase("COMMIT")) {
                statements.add(sql);
            }
        }
        return statements;
    }
}
