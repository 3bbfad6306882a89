package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.CloudDbStandIn;
import io.pgbackup.support.PgBackupProcess;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MANAGED_BACKUP_CHECK_CRON drives the managed-backup check in the running service (not only `check-managed`): with a
 * Cloud DB whose newest managed backup is 30 h old, the service's check fires on that cron, alerts naming the
 * instance, and starts pg-backup's own backup once; the fires after it find our backup recent and store no other.
 */
@Timeout(300)
class ManagedCheckCronIT {

    static final String INSTANCE = "7654321";
    static final String DB = "managed_cron_src";
    static final String BUCKET = "managed-cron-it";
    static final String NEVER = "0 0 3 1 1 ? 2099";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "managed_cron_user", "managed cron pw")
            .withSlack();

    static CloudDbStandIn cloudDb;

    @BeforeAll
    static void staleManagedBackup() throws Exception {
        cloudDb = new CloudDbStandIn(INSTANCE);
        cloudDb.backups(List.of(OffsetDateTime.now(ZoneOffset.ofHours(9)).minusHours(30)));
        SERVERS.postgres().createDatabase(DB);
        SERVERS.postgres().psql(DB, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g");
    }

    @AfterAll
    static void stop() {
        cloudDb.close();
    }

    @Test
    void theServiceRunsTheManagedBackupCheckOnItsCronAndBacksUpOnce() throws Exception {
        PgBackupProcess.Running service = SERVERS.pgBackup(DB, "managed/").set("BACKUP_CRON", NEVER)
                .set("ACCESS_KEY", CloudDbStandIn.ACCESS_KEY).set("SECRET_KEY", CloudDbStandIn.SECRET_KEY)
                .set("CLOUD_DB_API_URL", cloudDb.url()).set("CLOUD_DB_INSTANCE_NO", INSTANCE)
                .set("MANAGED_BACKUP_MAX_AGE", "26h").set("MANAGED_BACKUP_CHECK_CRON", "0/2 * * * * ?").launch();
        PgBackupProcess.Result stopped;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!alerted("recent enough") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            stopped = service.stop();
        }

        assertThat(cloudDb.requests()).as(stopped.toString()).hasSizeGreaterThanOrEqualTo(2).allMatch(r -> r.equals("page 0"));
        assertThat(alerted("own backup started now")).as("the first check's alert: %s", SERVERS.slack().texts()).isTrue();
        assertThat(alerted("recent enough")).as("a later check's alert: %s", SERVERS.slack().texts()).isTrue();
        assertThat(storedBackups()).as("one backup of our own, the later checks finding it recent: %s", stopped)
                .hasSize(1);
        assertThat(stopped.exitCode()).isZero();
    }

    /** Whether Slack got an alert naming the instance and its 30 h old managed backup, with {@code action}. */
    static boolean alerted(String action) {
        return SERVERS.slack().texts().stream().anyMatch(t -> t.contains("Cloud DB instance " + INSTANCE)
                && t.contains("ended 30h") && t.contains(action));
    }

    static List<String> storedBackups() {
        return SERVERS.s3().keys(BUCKET).stream().filter(k -> k.endsWith(".sql.gz")).toList();
    }
}
