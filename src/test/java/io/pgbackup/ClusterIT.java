package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Three instances share one clustered schedule (Quartz JDBC job store on PostgreSQL). pg_dump is slowed down to a few
 * seconds by a wrapper that also records when each dump ran and for which instance (the overlap detector). One
 * instance is killed (SIGKILL) in the middle of a dump. Then: no two dumps ever ran at once, every fire in the window
 * was stored exactly once (or skipped as the README documents), the killed fire was re-run by a survivor, and the
 * survivors stop cleanly (exit 0).
 */
@Timeout(600)
class ClusterIT {

    static final String DB = "cluster_source";
    static final String BUCKET = "cluster";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "cluster_user", "cluster pw");

    static PostgresServer postgres;
    static S3Server s3;

    @TempDir
    static Path folder;

    @BeforeAll
    static void start() throws Exception {
        postgres.createDatabase(DB);
        postgres.createDatabase("cluster_scheduler");
        postgres.psql(DB, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g");
    }

    PgBackupProcess instance(Path slowDump) {
        return SERVERS.connected(DB)
                .setAll(Map.of(
                        "PG_DUMP_PATH", slowDump.toString(),
                        "BACKUP_CRON", "0/5 * * * * ?",
                        "SCHEDULER_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/cluster_scheduler",
                        "SCHEDULER_JDBC_USER", "postgres",
                        "SCHEDULER_JDBC_PASSWORD", PostgresServer.SUPERUSER_PASSWORD,
                        "SCHEDULER_CLUSTER_CHECKIN_MS", "1000"));
    }

    /** One dump as the wrapper saw it: the instance (pid of the JVM) and when it began and ended (end 0: never). */
    record Dump(long instance, long begin, long end) {
        boolean overlaps(Dump other, long killedAt) {
            long myEnd = end == 0 ? killedAt : end;
            long otherEnd = other.end == 0 ? killedAt : other.end;
            return begin < otherEnd && other.begin < myEnd;
        }
    }

    @Test
    void eachFireIsStoredOnceNoDumpsOverlapAndAKilledFireIsRunAgain() throws Exception {
        Path runs = folder.resolve("dumps.log");
        Path slowDump = folder.resolve("slow-pg_dump");
        Files.writeString(slowDump, "#!/bin/sh\n"
                + "echo \"begin $PPID $(date +%s%3N)\" >> '" + runs + "'\n"
                + "sleep 3\n"
                + "'" + PostgresServer.BIN.resolve("pg_dump") + "' \"$@\" || exit $?\n"
                + "echo \"end $PPID $(date +%s%3N)\" >> '" + runs + "'\n");
        slowDump.toFile().setExecutable(true);

        List<PgBackupProcess.Running> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(instance(slowDump).launch());
        }
        // wait for a dump in progress once all three instances run their schedulers, and kill the instance running it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!nodes.stream().allMatch(n -> n.peekStderr().contains("pg-backup service started"))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(nodes).as("all three instances started").allMatch(n -> n.peekStderr().contains("pg-backup service started"));
        long victimPid = -1;
        while (victimPid < 0 && System.nanoTime() < deadline) {
            Map<Long, Dump> open = openDumps(runs);
            if (!open.isEmpty()) {
                victimPid = open.keySet().iterator().next();
            } else {
                Thread.sleep(50);
            }
        }
        assertThat(victimPid).as("a dump in progress to kill").isPositive();
        int victim = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).pid() == victimPid) {
                victim = i;
            }
        }
        assertThat(victim).as("the instance running the dump").isNotNegative();
        final int killed = victim;
        Thread.sleep(500);
        long killedAt = System.currentTimeMillis();
        nodes.get(victim).killWithChildren();
        // the survivors notice (check-in 1 s + ~7.5 s), recover the killed fire, and go on: until a survivor stored
        // the killed fire and a few more dumps ran (bounded; the checks below say what was missing)
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!killedFireRecovered(nodes, killed) && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        while (dumps(runs).size() < 5 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        long stopAt = System.currentTimeMillis();

        List<PgBackupProcess.Result> results = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            PgBackupProcess.Result result = i == victim ? nodes.get(i).result() : nodes.get(i).stop();
            results.add(result);
            if (i != victim) {
                assertThat(result.exitCode()).as("survivor %d stops cleanly: %s", i, result).isZero();
                assertThat(result.stderr()).as("survivor %d", i).doesNotContain("backup FAILED");
            }
        }

        // 1. no two dumps at once, ever (the victim's dump counts until it was killed)
        List<Dump> dumps = dumps(runs);
        assertThat(dumps).as(results.toString()).hasSizeGreaterThanOrEqualTo(5);
        for (int i = 0; i < dumps.size(); i++) {
            for (int j = i + 1; j < dumps.size(); j++) {
                assertThat(dumps.get(i).overlaps(dumps.get(j), killedAt)).as("%s and %s", dumps.get(i), dumps.get(j)).isFalse();
            }
        }

        // 2. every fire: stored by exactly one instance, or skipped as documented; the killed one re-run
        Map<String, List<String>> outcomes = new TreeMap<>();
        for (int i = 0; i < results.size(); i++) {
            outcomesOf(results.get(i).stderr(), i, outcomes);
        }
        String killedFire = outcomes.entrySet().stream()
                .filter(e -> e.getValue().contains("started on " + killed) && !e.getValue().contains("stored on " + killed))
                .map(Map.Entry::getKey).findFirst().orElse(null);
        assertThat(killedFire).as("the fire the victim was running: %s", outcomes).isNotNull();
        List<String> stored = s3.objects(BUCKET).stream().map(S3Object::key).toList();
        int storedFires = 0;
        for (Map.Entry<String, List<String>> fire : outcomes.entrySet()) {
            long storedCount = fire.getValue().stream().filter(o -> o.startsWith("stored on ")).count();
            boolean skipped = fire.getValue().stream().anyMatch(o -> o.startsWith("skipped on "));
            assertThat(storedCount).as("fire %s: %s", fire.getKey(), fire.getValue()).isLessThanOrEqualTo(1);
            if (fireMillis(fire.getKey()) < stopAt - 10_000) {
                assertThat(storedCount == 1 || skipped).as("fire %s stored once or skipped: %s", fire.getKey(), fire.getValue())
                        .isTrue();
            }
            storedFires += (int) storedCount;
        }
        assertThat(outcomes.get(killedFire)).as("the killed fire %s", killedFire)
                .anyMatch(o -> o.startsWith("stored on ") && !o.equals("stored on " + killed));
        assertThat(stored).as("one object per stored fire, none twice").hasSize(storedFires).doesNotHaveDuplicates();
        assertThat(outcomes.values().stream().flatMap(List::stream).filter(o -> o.startsWith("stored on ")).count())
                .isEqualTo(storedFires);
    }

    /** True once the fire the killed instance had started is logged as stored by another instance. */
    private static boolean killedFireRecovered(List<PgBackupProcess.Running> nodes, int killed) {
        Map<String, List<String>> outcomes = new TreeMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            outcomesOf(nodes.get(i).peekStderr(), i, outcomes);
        }
        return outcomes.values().stream().anyMatch(o -> o.contains("started on " + killed) && !o.contains("stored on " + killed)
                && o.stream().anyMatch(x -> x.startsWith("stored on ")));
    }

    /** Dumps that began and have not ended, by instance. */
    private static Map<Long, Dump> openDumps(Path runs) throws Exception {
        return dumps(runs).stream().filter(d -> d.end() == 0).collect(Collectors.toMap(Dump::instance, d -> d, (a, b) -> a));
    }

    private static List<Dump> dumps(Path runs) throws Exception {
        List<Dump> dumps = new ArrayList<>();
        if (!Files.exists(runs)) {
            return dumps;
        }
        Map<Long, Integer> open = new HashMap<>();
        for (String line : Files.readAllLines(runs)) {
            String[] f = line.split(" ");
            long pid = Long.parseLong(f[1]);
            long at = Long.parseLong(f[2]);
            if (f[0].equals("begin")) {
                open.put(pid, dumps.size());
                dumps.add(new Dump(pid, at, 0));
            } else if (open.containsKey(pid)) {
                int index = open.remove(pid);
                dumps.set(index, new Dump(pid, dumps.get(index).begin(), at));
            }
        }
        return dumps;
    }

    /**
     * Reads one instance's log in order: each "fire time X" line opens a fire; what follows until the next one is
     * its outcome on that instance: started, stored, or skipped (the README's documented skips).
     */
    private static void outcomesOf(String log, int node, Map<String, List<String>> outcomes) {
        String fire = null;
        for (String line : log.lines().toList()) {
            int at = line.indexOf("scheduled backup: fire time ");
            if (at >= 0) {
                fire = line.substring(at + "scheduled backup: fire time ".length()).strip();
                outcomes.computeIfAbsent(fire, f -> new ArrayList<>()).add("fired on " + node);
            } else if (fire != null && line.contains("backup of " + DB + " started")) {
                outcomes.get(fire).add("started on " + node);
            } else if (fire != null && line.contains("backup of " + DB + " stored: ")) {
                outcomes.get(fire).add("stored on " + node);
            } else if (fire != null && line.contains("scheduled backup skipped")) {
                outcomes.get(fire).add("skipped on " + node);
            }
        }
    }

    /** The fire time as logged (java.util.Date's text, e.g. "Tue Dec 01 05:59:05 UTC 2026"), in epoch millis. */
    private static long fireMillis(String text) {
        return java.time.ZonedDateTime.parse(text, java.time.format.DateTimeFormatter.ofPattern(
                "EEE MMM dd HH:mm:ss zzz yyyy", java.util.Locale.ROOT)).toInstant().toEpochMilli();
    }
}
