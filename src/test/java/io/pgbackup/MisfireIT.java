package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The clustered schedule's misfire policy: a fire that nobody took, because every instance was down at its time, is
 * run once when an instance comes back. BACKUP_CRON fires once only, at a second about 20 s ahead; the only
 * instance starts (so the shared Quartz store holds the trigger), stops before that second, and an instance with the
 * same settings starts after it plus SCHEDULER_MISFIRE_THRESHOLD_MS. It runs that fire once, late (the fire time it
 * logs is its own, after the missed second: Quartz's fire-once-now), stores one backup, and fires no other; and it
 * logs, once, the fire that was missed with its own time (schedule/MisfireLog), which nothing else would show.
 */
@Timeout(400)
class MisfireIT {

    static final String DB = "misfire_source";
    static final String BUCKET = "misfire-it";
    static final String SCHEDULER_DB = "misfire_scheduler";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "misfire_user", "misfire pw");

    @BeforeAll
    static void databases() throws Exception {
        SERVERS.postgres().createDatabase(DB);
        SERVERS.postgres().createDatabase(SCHEDULER_DB);
        SERVERS.postgres().psql(DB, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g");
    }

    PgBackupProcess instance(String cron) {
        return SERVERS.pgBackup(DB, "misfire/").set("BACKUP_CRON", cron).set("BACKUP_TIMEZONE", "UTC")
                .set("SCHEDULER_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + SERVERS.postgres().port() + "/" + SCHEDULER_DB)
                .set("SCHEDULER_JDBC_USER", "postgres")
                .set("SCHEDULER_JDBC_PASSWORD", PostgresServer.SUPERUSER_PASSWORD)
                .set("SCHEDULER_CLUSTER_CHECKIN_MS", "1000")
                .set("SCHEDULER_MISFIRE_THRESHOLD_MS", "1000");
    }

    @Test
    void aFireMissedWhileEveryInstanceWasDownRunsOnceWhenOneComesBackAndIsLoggedOnceWithItsOwnTime() throws Exception {
        // the first instance only puts the one-shot trigger into the shared store and stops before its second; a start
        // slower than that second allows is tried again with a later second and a scheduler store of its own (the
        // abandoned trigger stays in the other store, where nothing runs it)
        ZonedDateTime missed = null;
        String once = null;
        String schedulerUrl = null;
        for (int attempt = 1; missed == null; attempt++) {
            ZonedDateTime at = Instant.now().plusSeconds(20L * attempt).truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC);
            String cron = DateTimeFormatter.ofPattern("s m H d M '?' yyyy", Locale.ROOT).format(at);
            String store = SCHEDULER_DB;
            if (attempt > 1) {
                store = SCHEDULER_DB + "_" + attempt;
                SERVERS.postgres().createDatabase(store);
            }
            String url = "jdbc:postgresql://127.0.0.1:" + SERVERS.postgres().port() + "/" + store;
            PgBackupProcess.Running first = instance(cron).set("SCHEDULER_JDBC_URL", url).launch();
            boolean started = logs(first, "pg-backup service started", at.toInstant().minusSeconds(5));
            PgBackupProcess.Result firstStopped = first.stop();
            assertThat(firstStopped.stderr()).as("stopped before its fire").doesNotContain("scheduled backup: fire time");
            if (!started && attempt < 3) {
                continue;
            }
            assertThat(started).as("started by %s: %s", at.toInstant().minusSeconds(5), firstStopped).isTrue();
            assertThat(firstStopped.exitCode()).as(firstStopped.toString()).isZero();
            missed = at;
            once = cron;
            schedulerUrl = url;
        }

        // every instance is down at the fire time and past the misfire threshold (waiting for the clock itself)
        Thread.sleep(Math.max(0, missed.toInstant().plusSeconds(3).toEpochMilli() - System.currentTimeMillis()));
        assertThat(SERVERS.s3().keys(BUCKET)).as("nothing ran while every instance was down").isEmpty();

        Instant back = Instant.now();
        PgBackupProcess.Running second = instance(once).set("SCHEDULER_JDBC_URL", schedulerUrl).launch();
        PgBackupProcess.Result secondStopped;
        try {
            awaitLog(second, "backup of " + DB + " stored: ", Instant.now().plusSeconds(120));
            // a second fire of the same missed second would come within the cluster check-in; none may
            long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < quiet && fires(second.peekStderr()).size() == 1) {
                Thread.sleep(200);
            }
        } finally {
            secondStopped = second.stop();
        }

        List<Instant> fires = fires(secondStopped.stderr());
        assertThat(fires).as(secondStopped.toString()).hasSize(1);
        assertThat(fires.get(0)).as("run late, once the instance was back (fire once now)")
                .isAfterOrEqualTo(back.truncatedTo(ChronoUnit.SECONDS));
        assertThat(SERVERS.s3().keys(BUCKET).stream().filter(k -> k.endsWith(".sql.gz"))).as(secondStopped.toString())
                .hasSize(1);
        assertThat(secondStopped.exitCode()).isZero();
        String missedLine = "backup fire of " + missed.toInstant() + " was missed (no instance was running); running it now";
        assertThat(secondStopped.stderr().lines().filter(line -> line.contains(missedLine) && line.contains("WARN")))
                .as(secondStopped.toString()).hasSize(1);
        assertThat(secondStopped.stderr()).as("only the missed second is logged as missed").containsOnlyOnce(" was missed (");
    }

    private static void awaitLog(PgBackupProcess.Running instance, String text, Instant deadline) throws InterruptedException {
        logs(instance, text, deadline);
        assertThat(instance.peekStderr()).as("logged by %s", deadline).contains(text);
    }

    /** Whether the instance logged the text by the deadline (polled). */
    private static boolean logs(PgBackupProcess.Running instance, String text, Instant deadline) throws InterruptedException {
        while (!instance.peekStderr().contains(text) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        return instance.peekStderr().contains(text);
    }

    /** The fire times an instance logged ("scheduled backup: fire time" and java.util.Date's text). */
    private static List<Instant> fires(String log) {
        DateTimeFormatter dateText = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss zzz yyyy", Locale.ROOT);
        String marker = "scheduled backup: fire time ";
        return log.lines().filter(line -> line.contains(marker))
                .map(line -> ZonedDateTime.parse(line.substring(line.indexOf(marker) + marker.length()).strip(), dateText)
                        .toInstant())
                .toList();
    }
}
