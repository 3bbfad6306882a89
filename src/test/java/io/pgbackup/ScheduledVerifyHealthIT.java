package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.ManagementEndpoint;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A test restore run by the service's own schedule (VERIFY_CRON) that fails turns the running service's
 * /observe/health DOWN (503), naming the database and the test restore, though its backups themselves are fresh and
 * good as far as the bucket tells: the stored object was damaged after its manifest was written.
 */
@Timeout(300)
class ScheduledVerifyHealthIT {

    static final String DB = "verify_health_db";
    static final String BUCKET = "verify-health-it";
    static final String NEVER = "0 0 3 1 1 ? 2099";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "verify_health_user", "verify health pw");

    @Test
    void aFailedScheduledTestRestoreTurnsTheServicesHealthDownNamingTheDatabase() throws Exception {
        SERVERS.postgres().createDatabase(DB);
        SERVERS.postgres().psql(DB, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 3000) g");
        PgBackupProcess.Result backup = SERVERS.pgBackup(DB, "damaged/").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        String key = SERVERS.s3().keys(BUCKET).stream().filter(k -> k.endsWith(".sql.gz")).findFirst().orElseThrow();
        byte[] object = SERVERS.s3().get(BUCKET, key);
        object[object.length / 2] ^= 0x5a;
        object[object.length / 2 + 1] ^= 0x33;
        SERVERS.s3().put(BUCKET, key, object);

        int port = PostgresServer.freePort();
        ManagementEndpoint health = new ManagementEndpoint(port);
        PgBackupProcess.Running service = SERVERS.pgBackup(DB, "damaged/").set("BACKUP_CRON", NEVER)
                .set("VERIFY_CRON", "0/2 * * * * ?").set("MANAGEMENT_PORT", Integer.toString(port)).launch();
        try {
            ManagementEndpoint.Reply down = health.await(service, "/observe/health", r -> r.status() == 503, Duration.ofSeconds(90));

            assertThat(down.body()).as(service.peekStderr()).contains(DB + ": last test restore failed");
            assertThat(service.peekStderr()).contains("test restore FAILED");
        } finally {
            assertThat(service.stop().exitCode()).isZero();
        }
    }
}
