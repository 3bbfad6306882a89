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
 * DB_QUERY_TIMEOUT_MS kills pg-backup's own SQL when it runs too long: the database listing of DB_NAME=* waits on
 * pg_database, held by another session (ACCESS EXCLUSIVE) for as long as the test likes, and the run fails after the
 * timeout with one FAILED line naming the stage and the timeout; nothing is stored. The connect timeout is set far
 * above it, so only the query timeout can end the wait. The server is the class's own: the lock stops every new
 * session on it.
 */
@Timeout(300)
class QueryTimeoutIT {

    static final String BUCKET = "query-timeout-it";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onDedicatedPostgres(BUCKET, "query_timeout_user", "query timeout pw");

    @Test
    void aDatabaseListingOverDbQueryTimeoutIsKilledNamingTheStageAndStoresNothing() throws Exception {
        PostgresServer postgres = SERVERS.postgres();
        postgres.createDatabase("query_timeout_db");
        PgBackupProcess.Result backup;
        long seconds;
        try (Connection holder = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres",
                "postgres", PostgresServer.SUPERUSER_PASSWORD); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE pg_catalog.pg_database IN ACCESS EXCLUSIVE MODE");
            long started = System.nanoTime();
            backup = SERVERS.pgBackup("*", "listing/").set("DB_QUERY_TIMEOUT_MS", "2000")
                    .set("DB_CONNECT_TIMEOUT_SECONDS", "3600").timeoutSeconds(90).run("backup");
            seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            holder.rollback();
        }

        assertThat(backup.exitCode()).as(backup.toString()).isNotZero();
        List<String> verdict = backup.stderr().lines().filter(line -> line.contains("FAILED")).toList();
        assertThat(verdict).as(backup.toString()).singleElement().asString().contains("backup FAILED stage=list-databases")
                .endsWith(": psql was killed after the 2 s timeout");
        assertThat(seconds).as("ended by the query timeout, not by the lock's end").isLessThan(60);
        assertThat(SERVERS.s3().keys(BUCKET)).as("nothing stored").isEmpty();
    }
}
