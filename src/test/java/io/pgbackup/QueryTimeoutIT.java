package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DB_QUERY_TIMEOUT_MS kills pg-backup's own SQL when it runs too long: a catalog it reads is held by another session
 * (ACCESS EXCLUSIVE) for as long as the test likes, and the run fails after the timeout with one FAILED line naming
 * the stage and the timeout; nothing is stored or created. Two places: the database listing of DB_NAME=* (pg_database:
 * psql waits from its first contact, as with a server that does not answer) and the roles restore's look at what the
 * server has (pg_tablespace: psql is connected and its query waits). The connect timeout is set far above the query
 * timeout, so only the query timeout can end the wait. The server is the class's own: the locks stop its other sessions.
 */
@Timeout(300)
class QueryTimeoutIT {

    static final String BUCKET = "query-timeout-it";
    static final String DB = "query_timeout_db";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onDedicatedPostgres(BUCKET, "query_timeout_user", "query timeout pw");

    @Test
    void aDatabaseListingOverDbQueryTimeoutIsKilledNamingTheStageAndStoresNothing() throws Exception {
        SERVERS.postgres().createDatabase(DB);

        Timed backup = whileLocked("pg_database", SERVERS.pgBackup("*", "listing/"), "backup");

        backup.assertKilled("backup FAILED stage=list-databases");
        assertThat(SERVERS.s3().keys(BUCKET)).as("nothing stored").noneMatch(k -> k.startsWith("listing/"));
    }

    @Test
    void aRestoreQueryWaitingOverDbQueryTimeoutIsKilledNamingTheStageAndCreatesNothing() throws Exception {
        PostgresServer postgres = SERVERS.postgres();
        postgres.psql("postgres", "CREATE ROLE query_timeout_lost NOLOGIN");
        postgres.psql("postgres", "CREATE DATABASE query_timeout_roles");
        PgBackupProcess.Result backup = SERVERS.pgBackup("query_timeout_roles", "roles/").set("BACKUP_GLOBALS", "true")
                .run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        postgres.psql("postgres", "DROP ROLE query_timeout_lost");

        Timed restore = whileLocked("pg_tablespace", SERVERS.pgBackup("query_timeout_roles", "roles/"),
                "restore", "--database", "@globals");

        restore.assertKilled("restore FAILED stage=restore");
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'query_timeout_lost'").strip())
                .as("no role created").isEqualTo("0");
    }

    /** A run and how long it took. */
    record Timed(PgBackupProcess.Result result, long seconds) {
        void assertKilled(String failedStage) {
            assertThat(result.exitCode()).as(result.toString()).isNotZero();
            List<String> verdict = result.stderr().lines().filter(line -> line.contains("FAILED")).toList();
            assertThat(verdict).as(result.toString()).singleElement().asString().contains(failedStage)
                    .endsWith(": psql was killed after the 2 s timeout");
            assertThat(seconds).as("ended by the query timeout, not by the lock's end").isLessThan(60);
        }
    }

    /** Runs pg-backup (query timeout 2 s) while another session holds {@code catalog} ACCESS EXCLUSIVE. */
    static Timed whileLocked(String catalog, PgBackupProcess pgBackup, String... args) throws Exception {
        try (Connection holder = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + SERVERS.postgres().port()
                + "/postgres", "postgres", PostgresServer.SUPERUSER_PASSWORD); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE pg_catalog." + catalog + " IN ACCESS EXCLUSIVE MODE");
            long started = System.nanoTime();
            PgBackupProcess.Result result = pgBackup.set("DB_QUERY_TIMEOUT_MS", "2000").set("DB_CONNECT_TIMEOUT_SECONDS", "3600")
                    .timeoutSeconds(90).run(args);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            holder.rollback();
            return new Timed(result, seconds);
        }
    }
}
