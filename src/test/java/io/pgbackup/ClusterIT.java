package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Three instances in separate JVMs share one schedule through Quartz's clustered JDBC job store on a real
 * PostgreSQL: every fire is run by exactly one of them, and when one is killed with SIGKILL the others carry on.
 */
@Timeout(300)
class ClusterIT {

    static final String DB = "cluster_source";
    static final String BUCKET = "cluster";
    static final Pattern STARTED = Pattern.compile(
            "^(\\S+ \\S+) INFO .*backup of " + DB + " started -> " + BUCKET + "/(\\S+)$", Pattern.MULTILINE);
    static final Pattern FIRED = Pattern.compile("scheduled backup: fire time (.+)$", Pattern.MULTILINE);
    static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    static PostgresServer postgres;
    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.shared();
        s3 = new S3Server();
        s3.createBucket(BUCKET);
        postgres.createRole("cluster_user", "cluster pw");
        postgres.createDatabase(DB);
        postgres.createDatabase("cluster_scheduler");
        postgres.psql(DB, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    PgBackupProcess instance() {
        return new PgBackupProcess().setAll(Map.of(
                "DB_USER", "cluster_user", "DB_PASSWORD", "cluster pw", "DB_NAME", DB, "BUCKET_NAME", BUCKET))
                .setAll(postgres.clientSettings())
                .setAll(s3.clientSettings())
                .setAll(Map.of(
                        "BACKUP_CRON", "0/3 * * * * ?",
                        "SCHEDULER_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/cluster_scheduler",
                        "SCHEDULER_JDBC_USER", "postgres",
                        "SCHEDULER_JDBC_PASSWORD", PostgresServer.SUPERUSER_PASSWORD,
                        "SCHEDULER_CLUSTER_CHECKIN_MS", "1000"));
    }

    @Test
    void eachFireRunsOnExactlyOneInstanceAndSurvivorsCarryOnAfterAKill() throws Exception {
        List<PgBackupProcess.Running> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(instance().launch());
        }
        Thread.sleep(15_000);
        // kill the instance that ran the latest backup, so that the kill hits the one doing the work
        int victim = busiest(nodes);
        LocalDateTime killedAt = LocalDateTime.now();
        nodes.get(victim).kill();
        Thread.sleep(20_000);

        List<PgBackupProcess.Result> results = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            results.add(i == victim ? nodes.get(i).result() : nodes.get(i).stop());
        }

        List<Start> starts = new ArrayList<>();
        List<Fire> fires = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Matcher m = STARTED.matcher(results.get(i).stderr());
            while (m.find()) {
                starts.add(new Start(i, LocalDateTime.parse(m.group(1), LOG_TIME), m.group(2)));
            }
            Matcher f = FIRED.matcher(results.get(i).stderr());
            while (f.find()) {
                fires.add(new Fire(i, f.group(1)));
            }
            if (i != victim) {
                assertThat(results.get(i).stderr()).as("survivor %d", i).doesNotContain("backup FAILED");
            }
        }
        starts.sort(Comparator.comparing(Start::at));
        assertThat(fires).as(results.toString()).hasSizeGreaterThanOrEqualTo(6);
        // exactly one instance per fire; the only second run of a fire is a survivor recovering the victim's
        Map<String, List<Fire>> byTime = fires.stream().collect(java.util.stream.Collectors.groupingBy(Fire::time));
        byTime.forEach((time, runs) -> {
            if (runs.size() > 1) {
                assertThat(runs).as("fire %s in %s", time, results).hasSize(2)
                        .anySatisfy(r -> assertThat(r.node()).isEqualTo(victim))
                        .anySatisfy(r -> assertThat(r.node()).isNotEqualTo(victim));
            }
        });
        // and no two instances back up at once: backups on different instances never overlap in time
        for (int i = 1; i < starts.size(); i++) {
            if (starts.get(i).node() != starts.get(i - 1).node()) {
                assertThat(java.time.Duration.between(starts.get(i - 1).at(), starts.get(i).at()).toMillis())
                        .as("backups %s and %s", starts.get(i - 1), starts.get(i)).isGreaterThan(1000);
            }
        }
        // the survivors carry on after the kill
        List<Start> afterKill = starts.stream().filter(s -> s.at().isAfter(killedAt.plusSeconds(1))).toList();
        assertThat(afterKill).as(starts.toString()).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(s -> assertThat(s.node()).isNotEqualTo(victim));
        // every backup a survivor started was stored (or skipped as a same-second catch-up)
        List<String> stored = s3.objects(BUCKET).stream().map(S3Object::key).toList();
        assertThat(stored).containsAll(afterKill.stream().map(Start::key).toList());
        assertThat(stored).doesNotHaveDuplicates();
        assertThat(results.get(victim).stderr()).contains("clustered schedule: Quartz JDBC job store");
    }

    private static int busiest(List<PgBackupProcess.Running> nodes) throws InterruptedException {
        int busiest = 0;
        String latest = "";
        for (int i = 0; i < nodes.size(); i++) {
            Matcher m = STARTED.matcher(nodes.get(i).peekStderr());
            while (m.find()) {
                if (m.group(1).compareTo(latest) > 0) {
                    latest = m.group(1);
                    busiest = i;
                }
            }
        }
        return busiest;
    }

    record Start(int node, LocalDateTime at, String key) {
    }

    record Fire(int node, String time) {
    }
}
