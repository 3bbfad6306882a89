package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * VERIFY_DB_HOST, _PORT, _USER and _PASSWORD send the test restore to another server than DB_HOST: with production
 * unreachable (DB_PORT closed) the newest backup is loaded on the verify server as its own role, proven (VERIFIED),
 * and the scratch database is dropped there; production is never touched.
 */
@Timeout(300)
class VerifyServerIT {

    static final String DB = "verify_elsewhere_db";
    static final String BUCKET = "verify-server-it";
    static final String VERIFY_ROLE = "staging_verifier";
    static final String VERIFY_PASSWORD = "staging verify pw";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "verify_elsewhere_user", "production pw");

    static PostgresServer staging;

    @BeforeAll
    static void backupOnProductionAndAStagingServer() throws Exception {
        SERVERS.postgres().createDatabase(DB);
        SERVERS.postgres().psql(DB, "CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 500) g");
        PgBackupProcess.Result backup = SERVERS.pgBackup(DB, "elsewhere/").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        staging = PostgresServer.dedicated();
        staging.createRole(VERIFY_ROLE, VERIFY_PASSWORD);
    }

    @AfterAll
    static void stopStaging() {
        if (staging != null) {
            staging.close();
        }
    }

    @Test
    void theTestRestoreRunsOnTheVerifyServerWhileProductionIsUnreachable() throws Exception {
        PgBackupProcess.Result verify = SERVERS.pgBackup(DB, "elsewhere/")
                .set("DB_PORT", Integer.toString(PostgresServer.freePort())).set("DB_CONNECT_TIMEOUT_SECONDS", "2")
                .set("VERIFY_DB_HOST", staging.host()).set("VERIFY_DB_PORT", Integer.toString(staging.port()))
                .set("VERIFY_DB_USER", VERIFY_ROLE).set("VERIFY_DB_PASSWORD", VERIFY_PASSWORD)
                .run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.stderr()).as(verify.toString()).contains("OK: 1 tables, 500 rows, all as dumped");
        assertThat(scratchDatabases(staging)).as("dropped on the verify server").isEmpty();
        assertThat(scratchDatabases(SERVERS.postgres())).as("none on production").isEmpty();
    }

    @Test
    void aVerifyServerThatCannotBeReachedFailsTheTestRestore() throws Exception {
        PgBackupProcess.Result verify = SERVERS.pgBackup(DB, "elsewhere/").set("DB_CONNECT_TIMEOUT_SECONDS", "2")
                .set("VERIFY_DB_HOST", staging.host()).set("VERIFY_DB_PORT", Integer.toString(PostgresServer.freePort()))
                .set("VERIFY_DB_USER", VERIFY_ROLE).set("VERIFY_DB_PASSWORD", VERIFY_PASSWORD)
                .run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isNotZero();
        assertThat(verify.stderr()).as(verify.toString()).contains("test restore FAILED");
        assertThat(scratchDatabases(SERVERS.postgres())).as("production reachable, still untouched").isEmpty();
    }

    static String scratchDatabases(PostgresServer server) throws Exception {
        return server.psql("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'pgbackup_verify_%'")
                .strip();
    }
}
