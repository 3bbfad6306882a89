package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.HeartbeatStandIn;
import io.pgbackup.support.HeartbeatStandIn.Ping;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Heartbeat pings (routes/heartbeat.yaml), end to end: the backup command and the service's scheduled runs ping a
 * healthchecks.io or Uptime Kuma stand-in (start, then success or fail), the fail reason holds no secret, the URL's
 * secret path is never printed, and a dead or hanging ping endpoint never fails nor holds up a backup.
 */
@Timeout(600)
class HeartbeatIT {

    static final String BUCKET = "heartbeat-it";
    static final String PASSWORD = "hb-pw-Zq81 \"quoted\"";
    static final String DB = "hb_shop";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "hb_user", PASSWORD)
            .withDatabase(DB, "CREATE TABLE items (id int PRIMARY KEY, secret_note text);"
                    + " INSERT INTO items SELECT g, 'row value ' || g FROM generate_series(1, 500) g;");

    static PostgresServer postgres;
    static S3Server s3;
    static HeartbeatStandIn heartbeat;

    @BeforeAll
    static void start() throws Exception {
        heartbeat = new HeartbeatStandIn();
    }

    @AfterAll
    static void stop() throws Exception {
        if (heartbeat != null) {
            heartbeat.close();
        }
    }

    @BeforeEach
    void fresh() {
        heartbeat.clear();
        heartbeat.delayMillis(0);
    }

    PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DB, prefix).set("HEARTBEAT_URL", heartbeat.healthchecksUrl());
    }

    List<S3Object> stored(String prefix) {
        return s3.objects(BUCKET).stream().filter(o -> o.key().startsWith(prefix)).toList();
    }

    static String check(String suffix) {
        return "/ping/" + HeartbeatStandIn.CHECK_UUID + suffix;
    }

    /** Neither the check's uuid nor Kuma's push token appears anywhere in what pg-backup printed. */
    static void assertNoUrlSecret(PgBackupProcess.Result run) {
        assertThat(run.all()).doesNotContain(HeartbeatStandIn.CHECK_UUID).doesNotContain(HeartbeatStandIn.PUSH_TOKEN);
    }

    @Test
    void aGoodBackupPingsStartThenSuccessAndTheUrlsSecretStaysOutOfEvenDebugLogs() throws Exception {
        PgBackupProcess.Result run = pgBackup("good/").set("LOG_LEVEL", "DEBUG").set("CAMEL_LOG_LEVEL", "DEBUG")
                .run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(stored("good/")).isNotEmpty();
        assertThat(heartbeat.pings()).as(run.toString()).extracting(Ping::method, Ping::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("GET", check("/start")),
                        org.assertj.core.groups.Tuple.tuple("GET", check("")));
        assertThat(heartbeat.rejected()).isEmpty();
        assertThat(run.stderr()).as("DEBUG logging is on").contains("DEBUG")
                .contains("heartbeat: success ping sent to http://127.0.0.1:");
        assertNoUrlSecret(run);

        // a test restore is no backup run: it does not ping
        heartbeat.clear();
        PgBackupProcess.Result verify = pgBackup("good/").run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(heartbeat.attempts()).as(verify.toString()).isZero();
    }

    @Test
    void aFailedBackupPingsStartThenFailWithAReasonThatHoldsNoSecret() throws Exception {
        PgBackupProcess.Result run = pgBackup("fail/").set("DB_PASSWORD", "wrong-" + PASSWORD).run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.stderr()).contains("password authentication failed");
        assertThat(heartbeat.pings()).as(run.toString()).extracting(Ping::method, Ping::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("GET", check("/start")),
                        org.assertj.core.groups.Tuple.tuple("POST", check("/fail")));
        String reason = heartbeat.pings().get(1).body();
        assertThat(reason).isEqualTo("backup failed: dump (authentication failed)");
        assertThat(reason).doesNotContain(PASSWORD).doesNotContain("hb_user").doesNotContain(DB);
        assertNoUrlSecret(run);
    }

    @Test
    void uptimeKumaGetsStatusUpOrDownWithAnEncodedReasonAndNoStartPing() throws Exception {
        PgBackupProcess.Result good = pgBackup("kuma/").set("HEARTBEAT_STYLE", "uptime-kuma")
                .set("HEARTBEAT_URL", heartbeat.kumaUrl()).run("backup");

        assertThat(good.exitCode()).as(good.toString()).isZero();
        assertThat(heartbeat.pings()).as(good.toString()).singleElement().extracting(Ping::query)
                .isEqualTo(List.of("status=up", "msg=OK"));

        heartbeat.clear();
        PgBackupProcess.Result bad = pgBackup("kuma/").set("HEARTBEAT_STYLE", "uptime-kuma")
                .set("HEARTBEAT_URL", heartbeat.kumaUrl()).set("DB_NAME", DB + ",hb_missing").run("backup");

        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
        assertThat(heartbeat.pings()).as(bad.toString()).singleElement().extracting(Ping::query)
                .isEqualTo(List.of("status=down", "msg=1 of 2 databases failed: dump (database does not exist)"));
        assertThat(heartbeat.rejected()).isEmpty();
        assertNoUrlSecret(good);
        assertNoUrlSecret(bad);
    }

    @Test
    void aDeadPingEndpointIsAWarningAndTheBackupStillSucceeds() throws Exception {
        String closed = "http://127.0.0.1:" + PostgresServer.freePort() + "/ping/" + HeartbeatStandIn.CHECK_UUID;

        PgBackupProcess.Result run = pgBackup("dead/").set("HEARTBEAT_URL", closed).set("HEARTBEAT_RETRIES", "1")
                .run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(stored("dead/")).isNotEmpty();
        assertThat(run.stderr()).contains("WARN").contains("heartbeat: start ping to http://127.0.0.1:")
                .contains("not delivered after 2 tries (could not connect); the backup's outcome stands")
                .contains("heartbeat: success ping to http://127.0.0.1:");
        assertNoUrlSecret(run);
    }

    @Test
    void aHangingPingEndpointIsGivenUpAfterItsTimeoutAndTheBackupStillSucceeds() throws Exception {
        heartbeat.delayMillis(60_000);

        long began = System.nanoTime();
        PgBackupProcess.Result run = pgBackup("slow/").set("HEARTBEAT_TIMEOUT_SECONDS", "1").set("HEARTBEAT_RETRIES", "1")
                .run("backup");
        Duration took = Duration.ofNanos(System.nanoTime() - began);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(stored("slow/")).isNotEmpty();
        assertThat(run.stderr()).contains("not delivered after 2 tries (no answer within 1 s)");
        // two pings of two 1-second tries each, 1 s apart: a wait for the answer would take a minute for each
        assertThat(took).as(run.toString()).isLessThan(Duration.ofSeconds(50));
        assertThat(heartbeat.attempts()).isEqualTo(4);
        assertThat(heartbeat.pings()).isEmpty();
        assertNoUrlSecret(run);
    }

    @Test
    void theServicePingsEachScheduledRun() throws Exception {
        PgBackupProcess.Running service = pgBackup("sched/").set("BACKUP_CRON", "0/2 * * * * ?").launch();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (heartbeat.pings().size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            PgBackupProcess.Result result = service.stop();
            assertNoUrlSecret(result);
        }
        List<String> paths = heartbeat.pings().stream().map(Ping::path).toList();
        assertThat(paths).hasSizeGreaterThanOrEqualTo(4);
        // each run: its start, then its success (the run lock keeps runs apart)
        for (int i = 0; i + 1 < paths.size(); i += 2) {
            assertThat(paths.subList(i, i + 2)).as(paths.toString()).containsExactly(check("/start"), check(""));
        }
    }

}
