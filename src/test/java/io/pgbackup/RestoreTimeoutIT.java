package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RESTORE_TIMEOUT_MS kills a restore load that runs too long, and leaves nothing behind: the run fails with one line
 * naming the timeout, no server backend of the load is left running, and neither the target nor the temporary
 * database exists (a restore is never visible half-loaded). The load is made slow by the data itself: every row of
 * the table passes a CHECK that sleeps a second, but only for the restoring role (the fixture loads at full speed).
 */
@Timeout(600)
class RestoreTimeoutIT {

    static final String BUCKET = "restore-timeout-it";
    static final String ROLE = "slow_restore_user";
    static final String DATABASE = "slow_restore_db";
    static final String TARGET = "slow_restore_target";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, ROLE, "slow restore pw");

    static PostgresServer postgres;

    @BeforeAll
    static void slowToLoadDatabase() throws Exception {
        postgres.dropDatabase(TARGET);
        postgres.dropDatabase(DATABASE);
        postgres.createDatabase(DATABASE);
        postgres.psql(DATABASE, "CREATE FUNCTION public.slow_check(id int) RETURNS boolean LANGUAGE sql AS $$"
                + " SELECT true FROM pg_sleep(CASE WHEN session_user = '" + ROLE + "' THEN 1 ELSE 0 END) $$;"
                + " CREATE TABLE t (id int PRIMARY KEY CHECK (public.slow_check(id)));"
                + " INSERT INTO t SELECT generate_series(1, 60)");
        PgBackupProcess.Result backup = SERVERS.pgBackup(DATABASE, "slow/").timeoutSeconds(240).run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
    }

    @Test
    void aRestoreOverRestoreTimeoutIsKilledAndLeavesNoBackendNorDatabase() throws Exception {
        long started = System.nanoTime();
        PgBackupProcess.Result restore = SERVERS.pgBackup(DATABASE, "slow/").set("RESTORE_TIMEOUT_MS", "3000")
                .timeoutSeconds(240).run("restore", "--target-db", TARGET);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        assertThat(restore.exitCode()).as(restore.toString()).isNotZero();
        List<String> verdict = restore.stderr().lines().filter(line -> line.contains("FAILED")).toList();
        assertThat(verdict).as(restore.toString()).singleElement().asString().contains("restore FAILED stage=restore")
                .endsWith(": psql was killed after the 3 s timeout");
        assertThat(seconds).as("killed, not loaded to its end (60 rows of 1 s)").isLessThan(55);

        // the load's backend goes (bounded wait); the target never appears and the temporary database is dropped
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String backends = "SELECT count(*) FROM pg_stat_activity WHERE usename = "
                + PostgresServer.quoteLiteral(ROLE);
        while (!postgres.psql("postgres", backends).strip().equals("0") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(postgres.psql("postgres", backends).strip()).as("backends of the killed restore").isEqualTo("0");
        assertThat(postgres.databasesLike(TARGET)).as("the target database").isEmpty();
        assertThat(postgres.databasesLike("pgbackup_restore_%")).as("the temporary database").isEmpty();
    }
}
