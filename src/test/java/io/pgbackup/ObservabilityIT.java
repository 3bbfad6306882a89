package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.ManagementEndpoint;
import io.pgbackup.support.ManagementEndpoint.Reply;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Visible health of the service, end to end with the packaged jar, real PostgreSQL 15 and S3Proxy: /observe/health
 * turns DOWN after a failed backup and UP after the next good one, /observe/metrics carries the per-database series,
 * a restarted service learns the last backup from the bucket, and a service whose schedule never fires sends exactly
 * one stale-backup alert. The management server listens on 127.0.0.1 and a free port; every wait has a deadline.
 */
@Timeout(600)
class ObservabilityIT {

    static final String PASSWORD = "observe-it-pw";
    static final String DB = "observed";
    static final String ROLE = "observe_user";
    static final String BUCKET = "observe";
    /** Quartz cron that fires once, in 2099: the schedule effectively never fires. */
    static final String NEVER = "0 0 3 1 1 ? 2099";
    static final ZoneId ZONE = ZoneId.of("Asia/Seoul");

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, ROLE, PASSWORD).withSlack()
            .withDatabase(DB, "CREATE TABLE readings (id int PRIMARY KEY, v text);"
                    + " INSERT INTO readings SELECT g, md5(g::text) FROM generate_series(1, 3000) g;");

    static PostgresServer postgres;
    static S3Server s3;
    static WebhookStandIn slack;

    @TempDir
    Path workDir;

    PgBackupProcess pgBackup(String prefix, int managementPort) {
        return SERVERS.connected(DB)
                .set("DB_CONNECT_TIMEOUT_SECONDS", "5")
                .set("BACKUP_PREFIX", prefix)
                .set("BACKUP_WORK_DIR", workDir.toString())
                .set("RETRY_MAX", "0")
                .set("NOTIFY_TIMEOUT_MS", "5000")
                .set("MANAGEMENT_HOST", "127.0.0.1")
                .set("MANAGEMENT_PORT", Integer.toString(managementPort));
    }

    /** A failed backup turns health DOWN and counts in the metrics; the next good one turns it UP again. */
    @Test
    void healthIsDownAfterAFailedBackupAndUpAfterTheNextGoodOne() throws Exception {
        int port = PostgresServer.freePort();
        long before = System.currentTimeMillis() / 1000;
        // the service's DB_PASSWORD is wrong until the role's password is set back
        postgres.psql("postgres", "ALTER ROLE " + ROLE + " PASSWORD 'not-what-the-service-has'");
        PgBackupProcess.Running service = pgBackup("flip/", port).set("BACKUP_CRON", "0/3 * * * * ?").launch();
        try {
            Reply down = await(service, port, "/observe/health",
                    r -> r.status() == 503 && r.body().contains("last backup failed"), Duration.ofSeconds(90));
            assertThat(down.body()).contains("\"name\":\"backups\"").contains(DB + ": last backup failed (stage dump at ")
                    .as("no command text (hosts, users, SQL) on the health endpoint").doesNotContain("password authentication")
                    .doesNotContain("127.0.0.1");
            assertThat(metric(get(port, "/observe/metrics"), "pgbackup_backup_failures_total")).isGreaterThanOrEqualTo(1);
            assertThat(metric(get(port, "/observe/metrics"), "pgbackup_last_success_timestamp_seconds")).isZero();

            postgres.psql("postgres", "ALTER ROLE " + ROLE + " PASSWORD '" + PASSWORD + "'");

            Reply up = await(service, port, "/observe/health", r -> r.status() == 200, Duration.ofSeconds(90));
            assertThat(up.body()).isEqualTo("{\"status\":\"UP\"}");
            Reply full = get(port, "/observe/health?exposureLevel=full&data=true");
            assertThat(full.body()).contains("\"name\":\"backups\",\"status\":\"UP\"").contains(DB + ".last.good.backup");

            String metrics = get(port, "/observe/metrics").body();
            long after = System.currentTimeMillis() / 1000;
            assertThat(metric(metrics, "pgbackup_last_success_timestamp_seconds")).isBetween((double) before, (double) after + 1);
            assertThat(metric(metrics, "pgbackup_backup_failures_total")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "pgbackup_backup_successes_total")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "pgbackup_last_backup_size_bytes")).isGreaterThan(1000);
            assertThat(metric(metrics, "pgbackup_last_backup_duration_seconds")).isGreaterThan(0).isLessThan(60);
            assertThat(metrics).contains("# TYPE pgbackup_backup_failures_total counter")
                    .contains("# TYPE pgbackup_last_success_timestamp_seconds gauge");
            assertThat(stored("flip/")).isNotEmpty();
        } finally {
            postgres.psql("postgres", "ALTER ROLE " + ROLE + " PASSWORD '" + PASSWORD + "'");
            service.stop();
        }
    }

    /**
     * The one-shot backup opens no port (it runs while the management port is taken); a service started afterwards
     * reads the time of that backup from its key in the bucket.
     */
    @Test
    void aRestartedServiceKnowsTheLastBackupFromTheBucket() throws Exception {
        int port = PostgresServer.freePort();
        PgBackupProcess.Result once;
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            once = pgBackup("restart/", port).timeoutSeconds(120).run("backup");
        }
        assertThat(once.exitCode()).as(once.toString()).isZero();
        List<S3Object> objects = stored("restart/");
        assertThat(objects).hasSize(1);
        Matcher key = Pattern.compile("_(\\d{14})\\.sql\\.gz$").matcher(objects.get(0).key());
        assertThat(key.find()).isTrue();
        long keySeconds = LocalDateTime.parse(key.group(1), DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
                .atZone(ZONE).toEpochSecond();

        PgBackupProcess.Running service = pgBackup("restart/", port).set("BACKUP_CRON", NEVER).set("STALE_AFTER", "1h")
                .set("STALE_CHECK_INTERVAL", "2s").launch();
        try {
            Reply metrics = await(service, port, "/observe/metrics",
                    r -> r.status() == 200 && metric(r.body(), "pgbackup_last_success_timestamp_seconds") > 0,
                    Duration.ofSeconds(90));
            assertThat(metric(metrics.body(), "pgbackup_last_success_timestamp_seconds")).isEqualTo((double) keySeconds);
            assertThat(metric(metrics.body(), "pgbackup_backup_successes_total")).as("none run by this process").isZero();
            assertThat(get(port, "/observe/health").status()).isEqualTo(200);
        } finally {
            service.stop();
        }
    }

    /** No good backup within STALE_AFTER and a schedule that never fires: one alert, not one per check. */
    @Test
    void aStaleBackupIsAlertedExactlyOnce() throws Exception {
        int port = PostgresServer.freePort();
        int slackBefore = slack.texts().size();
        PgBackupProcess.Running service = pgBackup("stale/", port).set("BACKUP_CRON", NEVER).set("STALE_AFTER", "5s")
                .set("STALE_CHECK_INTERVAL", "1s").launch();
        PgBackupProcess.Result stopped;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (staleAlerts(slackBefore).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(staleAlerts(slackBefore)).as(service.peekStderr()).hasSize(1);
            Reply health = get(port, "/observe/health");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.body()).contains(DB + ": no good backup known, service up for").contains("longer than STALE_AFTER 5s");

            // at least five more checks of the same stale episode
            Thread.sleep(6000);
        } finally {
            stopped = service.stop();
        }
        List<String> alerts = staleAlerts(slackBefore);
        assertThat(alerts).as(stopped.toString()).hasSize(1);
        assertThat(alerts.get(0)).contains("ALERT: backup stale: no good backup within STALE_AFTER 5s")
                .contains(DB + ": no good backup known").contains("action:");
        assertThat(stopped.stderr()).contains("backup STALE:").doesNotContain("backup of " + DB + " started");
        assertThat(count(stopped.stderr(), "backup STALE:")).isEqualTo(1);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** Without MANAGEMENT_HOST the health endpoint listens on 127.0.0.1 only, never on every interface. */
    @Test
    void theManagementServerListensOnLoopbackByDefault() throws Exception {
        int port = PostgresServer.freePort();
        PgBackupProcess.Running service = pgBackup("default-host/", port).without("MANAGEMENT_HOST")
                .set("BACKUP_CRON", "0 0 3 1 1 ? 2099").launch();
        try {
            await(service, port, "/observe/health/live", r -> r.status() == 200, Duration.ofSeconds(60));
            List<String> listening = new ArrayList<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                for (String line : java.nio.file.Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                    String[] fields = line.strip().split("\\s+");
                    // local address HEX_IP:HEX_PORT, state 0A = LISTEN
                    if (fields[3].equals("0A") && fields[1].endsWith(String.format(":%04X", port))) {
                        listening.add(fields[1]);
                    }
                }
            }
            assertThat(listening).as("listening sockets on port " + port).isNotEmpty()
                    .allMatch(address -> address.startsWith("0100007F:") || address.startsWith("0000000000000000FFFF00000100007F:"),
                            "127.0.0.1 only");
        } finally {
            assertThat(service.stop().exitCode()).isZero();
        }
    }

    private static Reply get(int port, String path) throws IOException, InterruptedException {
        return new ManagementEndpoint(port).get(path);
    }

    /** Polls an endpoint until a reply matches; fails with the last reply and the service's log at the deadline. */
    private static Reply await(PgBackupProcess.Running service, int port, String path, Predicate<Reply> wanted,
            Duration limit) throws InterruptedException {
        return new ManagementEndpoint(port).await(service, path, wanted, limit);
    }

    /** The value of a metric's series for the test database; NaN when absent. */
    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{database=\"" + DB + "\"} (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double metric(Reply reply, String name) {
        return metric(reply.body(), name);
    }

    private static List<String> staleAlerts(int from) {
        List<String> texts = slack.texts();
        return texts.subList(from, texts.size()).stream().filter(t -> t.contains("backup stale")).toList();
    }

    private static List<S3Object> stored(String prefix) {
        return s3.objects(BUCKET).stream().filter(o -> o.key().startsWith(prefix)).toList();
    }

    private static int count(String text, String fragment) {
        Matcher m = Pattern.compile(Pattern.quote(fragment)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
