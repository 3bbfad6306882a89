package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.CloudDbStandIn;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fallback for a failing managed backup, against a Cloud DB API stand-in that enforces signature v2 and pages
 * its answer: a stale, missing or unreadable managed backup notifies (naming the instance and the age) and starts
 * pg-backup's own backup, unless our own newest backup is already recent.
 */
@Timeout(300)
class ManagedBackupIT {

    static final String INSTANCE = "1234567";
    static final String DB = "managed_src";
    static final String BUCKET = "managed";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "managed_user", "managed pw").withSlack()
            .withDatabase(DB, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g");

    static PostgresServer postgres;
    static S3Server s3;
    static CloudDbStandIn cloudDb;
    static WebhookStandIn slack;

    int slackBefore;
    int requestsBefore;
    String prefix;

    @BeforeAll
    static void start() throws Exception {
        cloudDb = new CloudDbStandIn(INSTANCE);
    }

    @AfterAll
    static void stop() throws Exception {
        cloudDb.close();
    }

    @BeforeEach
    void snapshot() {
        cloudDb.failWith(0);
        slackBefore = slack.texts().size();
        requestsBefore = cloudDb.requests().size();
        prefix = "run-" + System.nanoTime() + "/";
    }

    PgBackupProcess pgBackup() {
        return SERVERS.connected(DB).set("BACKUP_PREFIX", prefix).setAll(Map.of(
                "ACCESS_KEY", CloudDbStandIn.ACCESS_KEY, "SECRET_KEY", CloudDbStandIn.SECRET_KEY,
                "CLOUD_DB_API_URL", cloudDb.url(), "CLOUD_DB_INSTANCE_NO", INSTANCE, "MANAGED_BACKUP_MAX_AGE", "26h"));
    }

    /** 250 managed backups over 3 pages of 100; the newest, 2 h old, sits on the second page. */
    @Test
    void aFreshManagedBackupFoundOnAnyPageIsOk() throws Exception {
        List<OffsetDateTime> ends = hoursAgo(250, 40);
        ends.set(137, OffsetDateTime.now(ZoneOffset.ofHours(9)).minusHours(2));
        cloudDb.backups(ends);

        PgBackupProcess.Result run = pgBackup().run("check-managed");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).as(run.toString()).contains("Cloud DB instance " + INSTANCE).contains("ended 2h");
        assertThat(newRequests()).containsExactly("page 0", "page 1", "page 2");
        assertThat(newSlack()).isEmpty();
        assertThat(ourBackups()).isEmpty();
    }

    @Test
    void aStaleManagedBackupNotifiesAndBacksUpOnceOnly() throws Exception {
        cloudDb.backups(hoursAgo(120, 30));

        PgBackupProcess.Result first = pgBackup().run("check-managed");

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        assertThat(first.stdout()).contains("older than MANAGED_BACKUP_MAX_AGE 26h").contains("own backup started now");
        assertThat(newRequests()).containsExactly("page 0", "page 1");
        String alert = newSlack().get(0);
        assertThat(alert).contains("ALERT").contains("Cloud DB instance " + INSTANCE).contains("ended 30h");
        assertThat(ourBackups()).hasSize(1);

        PgBackupProcess.Result second = pgBackup().run("check-managed");

        assertThat(second.stdout()).contains("own newest backup is recent enough");
        assertThat(ourBackups()).as("no second backup while ours is recent").hasSize(1);
    }

    @Test
    void anEmptyListMeansNoManagedBackup() throws Exception {
        cloudDb.backups(List.of());

        PgBackupProcess.Result run = pgBackup().run("check-managed");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).contains("has no managed backup at all");
        assertThat(newSlack()).hasSize(1);
        assertThat(ourBackups()).hasSize(1);
    }

    @Test
    void anApiErrorCountsAsAFailedManagedBackup() throws Exception {
        cloudDb.failWith(500);

        PgBackupProcess.Result run = pgBackup().run("check-managed");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).contains("could not be checked").contains("500");
        assertThat(newSlack().get(0)).contains("could not be checked");
        assertThat(ourBackups()).hasSize(1);
    }

    @Test
    void theCallIsSignedAndAWrongKeyIsRejected() throws Exception {
        cloudDb.backups(hoursAgo(3, 1));

        PgBackupProcess.Result run = pgBackup().set("SECRET_KEY", "wrong").run("check-managed");

        assertThat(newRequests()).containsExactly("bad-signature");
        assertThat(run.stdout()).contains("could not be checked").contains("401");
        assertThat(run.all()).doesNotContain(CloudDbStandIn.SECRET_KEY);
    }

    private static List<OffsetDateTime> hoursAgo(int count, int newestHours) {
        List<OffsetDateTime> ends = new ArrayList<>();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.ofHours(9));
        for (int i = 0; i < count; i++) {
            ends.add(now.minusHours(newestHours + 24L * i));
        }
        return ends;
    }

    private List<String> newRequests() {
        return new ArrayList<>(cloudDb.requests().subList(requestsBefore, cloudDb.requests().size()));
    }

    private List<String> newSlack() {
        return new ArrayList<>(slack.texts().subList(slackBefore, slack.texts().size()));
    }

    private List<String> ourBackups() {
        return s3.objects(BUCKET).stream().map(o -> o.key()).filter(k -> k.startsWith(prefix)).toList();
    }
}
