package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Retention end to end, as a user runs it: the packaged jar's {@code prune} against S3Proxy (authentication on),
 * with a bucket seeded straight from an S3 client. The expected outcome is worked out here from the rules as the
 * README states them, without the application's planner.
 */
@Timeout(300)
class RetentionIT {

    static final String BUCKET = "retention";
    /** The 1,500-backup test has a bucket of its own: it checks the whole bucket's contents. */
    static final String GFS_BUCKET = "retention-gfs";
    static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
    static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyy/MM/dd");
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.storeOnly(BUCKET).withBucket(GFS_BUCKET);

    static S3Server s3;

    /** A backup seeded by the test: its key, database and the time written in its key (Seoul). */
    record Seeded(String key, String database, LocalDateTime time) {
        String manifest() {
            return key + ".manifest.json";
        }
    }

    PgBackupProcess pgBackup(String prefix) {
        return pgBackup(BUCKET, prefix);
    }

    PgBackupProcess pgBackup(String bucket, String prefix) {
        return SERVERS.connected().set("BUCKET_NAME", bucket).set("BACKUP_PREFIX", prefix)
                .set("BACKUP_TIMEZONE", "Asia/Seoul").timeoutSeconds(150);
    }

    // ---- 1,500 backups over 400 days ------------------------------------------------------------------------------

    @Test
    void dryRunPrintsThePlanThenPruneLeavesExactlyWhatTheRulesKeep() throws Exception {
        String prefix = "prod/";
        Map<String, String> rules = Map.of("RETENTION_KEEP_LAST", "3", "RETENTION_KEEP_DAYS", "10",
                "RETENTION_DAILY", "7", "RETENTION_WEEKLY", "5", "RETENTION_MONTHLY", "6");
        ZonedDateTime now = ZonedDateTime.now(SEOUL);
        Instant keepDaysCutoff = now.toInstant().minus(Duration.ofDays(10));
        List<Seeded> backups = new ArrayList<>();
        // irregular intervals: days with none, one or two backups; .sql.gz and .sql.zst; the roles pseudo-database
        backups.addAll(series(prefix, "shop", now.minusMinutes(17), 800, Duration.ofMinutes(11 * 60 + 53), keepDaysCutoff));
        backups.addAll(series(prefix, "billing_db", now.minusMinutes(95), 450, Duration.ofMinutes(21 * 60 + 7), keepDaysCutoff));
        backups.addAll(series(prefix, "@globals", now.minusHours(5), 250, Duration.ofHours(38), keepDaysCutoff));
        assertThat(backups).hasSize(1500);
        assertThat(Duration.between(backups.stream().map(Seeded::time).min(Comparator.naturalOrder()).orElseThrow(),
                now.toLocalDateTime()).toDays()).isBetween(390L, 400L);
        // every backup good (a manifest without a warning): the rules count good backups only
        List<String> manifests = backups.stream().map(Seeded::manifest).toList();
        List<String> foreign = List.of(
                // outside the prefix, though named like backups
                "staging/2025/03/01/shop_20250301020000.sql.gz",
                "2025/03/01/shop_20250301020000.sql.gz",
                "prod-old/2025/03/01/shop_20250301020000.sql.gz",
                // under the prefix, not of the naming pattern
                "prod/README.txt",
                "prod/2025/03/01/shop_202503010200.sql.gz",          // the seed script's minute keys
                "prod/2025/03/01/shop_20250301020000.sql",
                "prod/2025/03/01/shop_20250301020000.sql.gz.tmp",
                "prod/2025/03/01/shop_20250301020000.dump",
                "prod/2025/03/02/shop_20250301020000.sql.gz",        // folder is not the timestamp's date
                "prod/extra/2025/03/01/shop_20250301020000.sql.gz",
                "prod/2025/03/01/ghost_20250301020000.sql.gz.manifest.json"); // a manifest alone
        for (Seeded backup : backups) {
            put(GFS_BUCKET, backup.key());
            putGoodManifest(GFS_BUCKET, backup.key());
        }
        foreign.forEach(key -> put(GFS_BUCKET, key));
        Set<String> seededKeys = new HashSet<>(s3.keys(GFS_BUCKET));
        assertThat(seededKeys).hasSize(1500 + manifests.size() + foreign.size());

        Set<String> expectedDeleted = expectedDeletions(backups, now.toInstant(), 3, 10, 7, 5, 6);
        assertThat(expectedDeleted).hasSizeBetween(1400, 1490);

        // --dry-run: the whole plan on stdout, nothing deleted
        PgBackupProcess.Result dry = pgBackup(GFS_BUCKET, prefix).setAll(rules).run("prune", "--dry-run");

        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(new HashSet<>(s3.keys(GFS_BUCKET))).as("a dry run deletes nothing").isEqualTo(seededKeys);
        Map<String, String> printed = plan(dry.stdout());
        assertThat(printed.keySet()).as("one line per backup, nothing else")
                .isEqualTo(backups.stream().map(Seeded::key).collect(Collectors.toSet()));
        assertThat(keysWith(printed, "DELETE")).isEqualTo(expectedDeleted);
        assertThat(lastLine(dry.stdout())).contains("1500 backup(s) of 3 database(s)")
                .contains("keep " + (1500 - expectedDeleted.size()) + ", delete " + expectedDeleted.size())
                .contains("dry run");
        assertThat(count(dry.stderr(), "retention would delete " + GFS_BUCKET + "/")).isEqualTo(expectedDeleted.size());
        assertThat(dry.stderr()).doesNotContain("retention deleted").doesNotContain("Exception");
        String newestShop = newest(backups, "shop").key();
        assertThat(dry.stdout()).contains("KEEP\t" + newestShop + "\tnewest of database shop; one of the 3 newest good");

        // prune: exactly the expected backups go, with their manifests; everything else stays
        PgBackupProcess.Result prune = pgBackup(GFS_BUCKET, prefix).setAll(rules).run("prune");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        Set<String> expectedLeft = new HashSet<>(seededKeys);
        for (String key : expectedDeleted) {
            expectedLeft.remove(key);
            expectedLeft.remove(key + ".manifest.json");
        }
        assertThat(new HashSet<>(s3.keys(GFS_BUCKET))).isEqualTo(expectedLeft);
        assertThat(s3.keys(GFS_BUCKET)).containsAll(foreign);
        assertThat(keysWith(plan(prune.stdout()), "DELETE")).isEqualTo(expectedDeleted);
        assertThat(lastLine(prune.stdout())).contains("deleted " + expectedDeleted.size()).doesNotContain("dry run");
        String oneDeleted = expectedDeleted.iterator().next();
        assertThat(prune.stderr()).contains("INFO").contains("retention deleted " + GFS_BUCKET + "/" + oneDeleted + ": kept by no rule");
        assertThat(count(prune.stderr(), "retention deleted " + GFS_BUCKET + "/")).isEqualTo(expectedDeleted.size());

        // a second run finds nothing more to delete
        PgBackupProcess.Result again = pgBackup(GFS_BUCKET, prefix).setAll(rules).run("prune");

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(lastLine(again.stdout())).contains("deleted 0");
        assertThat(new HashSet<>(s3.keys(GFS_BUCKET))).isEqualTo(expectedLeft);
    }

    // ---- the newest backup is always kept -----------------------------------------------------------------------

    @Test
    void keepDaysAloneNeverDeletesTheNewestBackupOfADatabase() throws Exception {
        String prefix = "guard/";
        ZonedDateTime now = ZonedDateTime.now(SEOUL);
        List<Seeded> backups = new ArrayList<>();
        backups.addAll(series(prefix, "old_db", now.minusDays(100), 5, Duration.ofDays(1), Instant.EPOCH));
        backups.addAll(series(prefix, "@globals", now.minusDays(50), 2, Duration.ofHours(1), Instant.EPOCH));
        for (Seeded backup : backups) {
            put(BUCKET, backup.key());
            putGoodManifest(BUCKET, backup.key());
        }
        Seeded newestOld = newest(backups, "old_db");
        Seeded newestGlobals = newest(backups, "@globals");

        // one database only: the other's backups are not even listed
        PgBackupProcess.Result globals = pgBackup(prefix).set("RETENTION_KEEP_DAYS", "30").run("prune", "--database", "@globals");

        assertThat(globals.exitCode()).as(globals.toString()).isZero();
        assertThat(s3.keys(BUCKET)).filteredOn(k -> k.startsWith(prefix)).hasSize(2 * (5 + 1));
        assertThat(globals.stdout()).doesNotContain("old_db").contains("1 database(s)");

        PgBackupProcess.Result prune = pgBackup(prefix).set("RETENTION_KEEP_DAYS", "30").run("prune");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(s3.keys(BUCKET)).filteredOn(k -> k.startsWith(prefix)).containsExactlyInAnyOrder(
                newestOld.key(), newestOld.manifest(), newestGlobals.key(), newestGlobals.manifest());
        assertThat(prune.stdout()).contains("KEEP\t" + newestOld.key() + "\tnewest of database old_db")
                .contains("KEEP\t" + newestGlobals.key() + "\tnewest of database @globals");
    }

    /**
     * After an incident every backup shrank: 12 backups, the last 11 with a shrink warning. keep-last 3 counts good
     * backups only, so the one good backup stays; once good backups are back, the old shrunk ones go.
     */
    @Test
    void shrunkBackupsNeverPushTheLastGoodOneOut() throws Exception {
        String prefix = "incident/";
        List<Seeded> backups = series(prefix, "shop", ZonedDateTime.now(SEOUL).minusDays(20), 12, Duration.ofDays(1),
                Instant.EPOCH);
        Seeded good = backups.stream().min(Comparator.comparing(Seeded::time)).orElseThrow();
        for (Seeded backup : backups) {
            put(BUCKET, backup.key());
            if (backup == good) {
                putGoodManifest(BUCKET, backup.key());
            } else {
                s3.client().putObject(b -> b.bucket(BUCKET).key(backup.manifest()), RequestBody.fromString(
                        "{\"key\":\"" + backup.key() + "\",\"warning\":\"the dump shrank 95% (test)\"}"));
            }
        }

        PgBackupProcess.Result prune = pgBackup(prefix).set("RETENTION_KEEP_LAST", "3").run("prune");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(s3.keys(BUCKET)).filteredOn(k -> k.startsWith(prefix)).hasSize(24);
        assertThat(prune.stdout()).contains("KEEP\t" + good.key() + "\tone of the 3 newest good")
                .contains("shrunk, newer than the newest good backup");

        // good backups again: three new good ones; keep-last 3 keeps them, and the old shrunk ones and the old good one go
        List<Seeded> recovered = series(prefix, "shop", ZonedDateTime.now(SEOUL).minusHours(3), 3, Duration.ofMinutes(30),
                Instant.EPOCH);
        for (Seeded backup : recovered) {
            put(BUCKET, backup.key());
            putGoodManifest(BUCKET, backup.key());
        }
        PgBackupProcess.Result again = pgBackup(prefix).set("RETENTION_KEEP_LAST", "3").run("prune");

        assertThat(again.exitCode()).as(again.toString()).isZero();
        List<String> left = s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix)).toList();
        assertThat(left).containsExactlyInAnyOrderElementsOf(recovered.stream()
                .flatMap(b -> java.util.stream.Stream.of(b.key(), b.manifest())).toList());
    }

    @Test
    void withEveryRuleAtZeroNothingIsDeleted() throws Exception {
        String prefix = "off/";
        List<Seeded> backups = series(prefix, "shop", ZonedDateTime.now(SEOUL).minusDays(900), 3, Duration.ofDays(1), Instant.EPOCH);
        backups.forEach(b -> put(BUCKET, b.key()));

        PgBackupProcess.Result prune = pgBackup(prefix).run("prune");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(prune.stdout()).contains("retention is off");
        assertThat(s3.keys(BUCKET)).filteredOn(k -> k.startsWith(prefix)).hasSize(3);
    }

    // ---- the expected outcome, from the rules as documented -----------------------------------------------------

    /**
     * Keys to delete: every backup that no rule keeps, database by database. Kept: the newest; the {@code last}
     * newest; those younger than {@code days}; for days, weeks (starting Monday) and months, the newest backup of
     * each of the N most recent periods that have a backup.
     */
    static Set<String> expectedDeletions(List<Seeded> all, Instant now, int last, int days, int daily, int weekly,
            int monthly) {
        Set<String> kept = new HashSet<>();
        Map<String, List<Seeded>> byDatabase = all.stream().collect(Collectors.groupingBy(Seeded::database));
        for (List<Seeded> backups : byDatabase.values()) {
            List<Seeded> newestFirst = new ArrayList<>(backups);
            newestFirst.sort(Comparator.comparing(Seeded::time).thenComparing(Seeded::key).reversed());
            kept.add(newestFirst.get(0).key());
            newestFirst.stream().limit(last).forEach(b -> kept.add(b.key()));
            newestFirst.stream().filter(b -> b.time().atZone(SEOUL).toInstant().isAfter(now.minus(Duration.ofDays(days))))
                    .forEach(b -> kept.add(b.key()));
            kept.addAll(newestOfRecentPeriods(backups, daily, t -> t.toLocalDate()));
            kept.addAll(newestOfRecentPeriods(backups, weekly,
                    t -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))));
            kept.addAll(newestOfRecentPeriods(backups, monthly, YearMonth::from));
        }
        return all.stream().map(Seeded::key).filter(k -> !kept.contains(k)).collect(Collectors.toSet());
    }

    /** Group by period, take the {@code count} latest periods, and the newest backup in each. */
    static <P extends Comparable<P>> Set<String> newestOfRecentPeriods(List<Seeded> backups, int count,
            Function<LocalDateTime, P> period) {
        TreeMap<P, Seeded> newestPerPeriod = new TreeMap<>(Comparator.reverseOrder());
        for (Seeded b : backups) {
            newestPerPeriod.merge(period.apply(b.time()), b,
                    (x, y) -> Comparator.comparing(Seeded::time).thenComparing(Seeded::key).compare(x, y) >= 0 ? x : y);
        }
        return newestPerPeriod.values().stream().limit(count).map(Seeded::key).collect(Collectors.toSet());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /**
     * {@code count} backups of {@code database}, the newest at {@code newest}, each {@code step} before the next.
     * None lands within 30 minutes of {@code avoid} (the keep-days cut-off), so the few seconds between this test's
     * clock and the app's cannot change the outcome.
     */
    static List<Seeded> series(String prefix, String database, ZonedDateTime newest, int count, Duration step,
            Instant avoid) {
        List<Seeded> backups = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ZonedDateTime t = newest.minus(step.multipliedBy(i)).withSecond(i % 60).withNano(0);
            if (Duration.between(t.toInstant(), avoid).abs().compareTo(Duration.ofMinutes(30)) < 0) {
                t = t.minusHours(1);
            }
            String extension = database.startsWith("billing") && i % 2 == 0 ? ".sql.zst" : ".sql.gz";
            String key = prefix + t.format(FOLDER) + "/" + database + "_" + t.format(STAMP) + extension;
            backups.add(new Seeded(key, database, t.toLocalDateTime()));
        }
        return backups;
    }

    /** A manifest without a warning: the backup counts as good. */
    static void putGoodManifest(String bucket, String key) {
        s3.client().putObject(b -> b.bucket(bucket).key(key + ".manifest.json"),
                RequestBody.fromString("{\"format\":1,\"key\":\"" + key + "\",\"objectBytes\":5}"));
    }

    static void put(String bucket, String key) {
        s3.client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("dummy"));
    }

    static Seeded newest(List<Seeded> backups, String database) {
        return backups.stream().filter(b -> b.database().equals(database))
                .max(Comparator.comparing(Seeded::time).thenComparing(Seeded::key)).orElseThrow();
    }

    /** The printed plan: key -> "KEEP" or "DELETE" (lines "ACTION\tKEY\tREASON"); every key at most once. */
    static Map<String, String> plan(String stdout) {
        Map<String, String> plan = new LinkedHashMap<>();
        stdout.lines().map(l -> l.split("\t", -1)).filter(f -> f.length == 3).forEach(f -> {
            assertThat(f[0]).isIn("KEEP", "DELETE");
            assertThat(plan.put(f[1], f[0])).as("printed twice: " + f[1]).isNull();
        });
        return plan;
    }

    static Set<String> keysWith(Map<String, String> plan, String action) {
        return plan.entrySet().stream().filter(e -> e.getValue().equals(action)).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
