package io.pgbackup.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.pgbackup.retention.RetentionPolicy.Decision;
import io.pgbackup.storage.BackupKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RetentionPolicyTest {

    static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    /** 2026-11-28 12:00 in Seoul (a Saturday). */
    static final Instant NOW = LocalDateTime.of(2026, 11, 28, 12, 0).atZone(SEOUL).toInstant();

    // ---- off, keep-last, keep-days ----------------------------------------------------------------------------

    @Test
    void withEveryRuleOffEverythingIsKept() {
        RetentionPolicy off = new RetentionPolicy(0, 0, 0, 0, 0);
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2024, 1, 1), 700);

        List<Decision> plan = off.plan(backups, NOW, SEOUL);

        assertThat(off.isOff()).isTrue();
        assertThat(off.rules()).isEqualTo("off");
        assertThat(plan).hasSize(700).allSatisfy(d -> {
            assertThat(d.keep()).isTrue();
            assertThat(d.reason()).isEqualTo("retention off");
        });
    }

    @Test
    void keepLastKeepsTheNNewestAndThePlanRunsOldestFirst() {
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2026, 11, 1), 10);
        Collections.shuffle(backups, new java.util.Random(7));

        List<Decision> plan = new RetentionPolicy(3, 0, 0, 0, 0).plan(backups, NOW, SEOUL);

        assertThat(plan).extracting(d -> d.backup().time().toLocalDate().getDayOfMonth())
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(kept(plan)).extracting(d -> d.backup().time().toLocalDate().getDayOfMonth()).containsExactly(8, 9, 10);
        assertThat(plan.get(9).reason()).isEqualTo("newest of database shop; one of the 3 newest good");
        assertThat(plan.get(8).reason()).isEqualTo("one of the 3 newest good");
        assertThat(plan.get(0).action()).isEqualTo("DELETE");
        assertThat(plan.get(0).reason()).isEqualTo("kept by no rule (last 3)");
    }

    @Test
    void keepLastAboveTheCountKeepsAll() {
        List<Decision> plan = new RetentionPolicy(50, 0, 0, 0, 0).plan(dailyBackups("shop", LocalDate.of(2020, 1, 1), 5), NOW, SEOUL);

        assertThat(plan).hasSize(5).allMatch(Decision::keep);
    }

    @Test
    void keepDaysKeepsWhatIsYoungerThanDTimes24HoursReadingTheKeyInTheBackupTimeZone() {
        // now = 2026-11-28 12:00 Seoul; 7 days before = 2026-11-21 12:00 Seoul = 03:00 UTC
        BackupKey exactlySevenDays = backup("shop", "20261121120000");
        BackupKey aSecondYounger = backup("shop", "20261121120001");
        BackupKey aSecondOlder = backup("shop", "20261121115959");
        BackupKey newest = backup("shop", "20261128110000");
        List<BackupKey> backups = List.of(exactlySevenDays, aSecondYounger, aSecondOlder, newest);

        List<Decision> seoul = new RetentionPolicy(0, 7, 0, 0, 0).plan(backups, NOW, SEOUL);

        assertThat(keys(kept(seoul))).containsExactlyInAnyOrder(aSecondYounger.key(), newest.key());
        assertThat(decisionOf(seoul, aSecondYounger).reason()).isEqualTo("younger than 7 days");

        // the same keys read as UTC times are 9 hours later, so all three are younger than 7 days
        List<Decision> utc = new RetentionPolicy(0, 7, 0, 0, 0).plan(backups, NOW, ZoneOffset.UTC);
        assertThat(utc).allMatch(Decision::keep);
    }

    @Test
    void aBackupFromTheFutureIsKeptButIsNotTheNewest() {
        List<Decision> plan = new RetentionPolicy(0, 1, 0, 0, 0)
                .plan(List.of(backup("shop", "20261201000000"), backup("shop", "20261101000000")), NOW, SEOUL);

        assertThat(keys(kept(plan))).containsExactly(backup("shop", "20261101000000").key(),
                backup("shop", "20261201000000").key());
        assertThat(decisionOf(plan, backup("shop", "20261201000000")).reason()).isEqualTo(RetentionPolicy.FUTURE);
        assertThat(decisionOf(plan, backup("shop", "20261101000000")).reason()).startsWith("newest of database shop");
    }

    // ---- the newest is always kept ----------------------------------------------------------------------------

    @Test
    void theNewestBackupOfEachDatabaseIsKeptEvenWhenEveryBackupIsPastKeepDays() {
        List<BackupKey> backups = new ArrayList<>(dailyBackups("shop", LocalDate.of(2025, 1, 1), 30));
        backups.addAll(dailyBackups("@globals", LocalDate.of(2025, 6, 1), 3));

        List<Decision> plan = new RetentionPolicy(0, 7, 0, 0, 0).plan(backups, NOW, SEOUL);

        assertThat(kept(plan)).hasSize(2).extracting(Decision::reason)
                .containsExactly("newest of database @globals", "newest of database shop");
        assertThat(keys(kept(plan))).containsExactly(
                backup("@globals", "20250603020000").key(), backup("shop", "20250130020000").key());
    }

    @Test
    void aSingleBackupIsNeverDeleted() {
        for (RetentionPolicy policy : List.of(new RetentionPolicy(1, 0, 0, 0, 0), new RetentionPolicy(0, 1, 0, 0, 0),
                new RetentionPolicy(0, 0, 1, 0, 0), new RetentionPolicy(0, 0, 0, 1, 0), new RetentionPolicy(0, 0, 0, 0, 1))) {
            List<Decision> plan = policy.plan(List.of(backup("shop", "20100101000000")), NOW, SEOUL);
            assertThat(plan).singleElement().satisfies(d -> assertThat(d.keep()).as(policy.rules()).isTrue());
        }
    }

    // ---- grandfather-father-son -------------------------------------------------------------------------------

    @Test
    void dailyCountsOnlyDaysThatHaveABackupAndKeepsTheNewestOfEach() {
        // day 1; day 2 at 02:00 and at its last second; day 5; day 9 at 00:00 and 12:00
        List<Decision> plan = new RetentionPolicy(0, 0, 3, 0, 0).plan(shop("20261101020000", "20261102020000",
                "20261102235959", "20261105000000", "20261109000000", "20261109120000"), NOW, SEOUL);

        assertThat(keptStamps(plan)).containsExactly("20261102235959", "20261105000000", "20261109120000");
        assertThat(reasonFor(plan, "20261105000000")).isEqualTo("newest of day 2026-11-05");
        assertThat(reasonFor(plan, "20261109120000")).isEqualTo("newest of database shop; newest of day 2026-11-09");
    }

    @Test
    void daysAreTheKeysLocalDatesWhateverTheTimeZone() {
        // 00:30 and 23:30 in the key: two different days in BACKUP_TIMEZONE, even though both are 2026-11-27 in UTC
        List<BackupKey> backups = shop("20261128003000", "20261127233000", "20261127003000");

        for (ZoneId zone : List.of(SEOUL, ZoneOffset.UTC, ZoneId.of("America/Los_Angeles"))) {
            List<Decision> plan = new RetentionPolicy(0, 0, 2, 0, 0).plan(backups, NOW.plus(java.time.Duration.ofDays(1)),
                    zone);
            assertThat(keptStamps(plan)).as(zone.getId()).containsExactly("20261127233000", "20261128003000");
        }
    }

    @Test
    void weeksAreIsoWeeksMondayToSundayAcrossTheYearEnd() {
        // 2026 has 53 ISO weeks: Mon 2026-12-28 .. Sun 2027-01-03 is 2026-W53; Mon 2027-01-04 starts 2027-W01.
        // W53: Mon, Fri, Sun at its last second; W01: Mon; W52: Sun, Sat; W50
        List<Decision> plan = new RetentionPolicy(0, 0, 0, 3, 0).plan(shop("20261228020000", "20270101020000",
                "20270103235959", "20270104000000", "20261227020000", "20261226020000", "20261210020000"),
                Instant.parse("2027-02-01T00:00:00Z"), SEOUL);

        assertThat(keptStamps(plan)).containsExactly("20261227020000", "20270103235959", "20270104000000");
        assertThat(reasonFor(plan, "20270103235959")).isEqualTo("newest of week 2026-W53");
        assertThat(reasonFor(plan, "20270104000000")).contains("newest of week 2027-W01");
        assertThat(reasonFor(plan, "20261227020000")).isEqualTo("newest of week 2026-W52");
    }

    @Test
    void theFirstDaysOfJanuaryCanBelongToTheLastIsoWeekOfThePreviousYear() {
        // Thu 2020-12-31, Fri 2021-01-01 and Sun 2021-01-03 are all in 2020-W53: one week, one backup kept
        List<Decision> plan = new RetentionPolicy(0, 0, 0, 2, 0).plan(shop("20201231020000", "20210101020000",
                "20210103020000"), NOW, SEOUL);

        assertThat(keptStamps(plan)).containsExactly("20210103020000");
        assertThat(reasonFor(plan, "20210103020000")).contains("newest of week 2020-W53");
    }

    @Test
    void monthlySkipsMonthsWithoutABackupAndKeepsTheLastSecondOfAMonth() {
        // January's last second and mid-January; February's first second and late February; April; December 2025
        List<Decision> plan = new RetentionPolicy(0, 0, 0, 0, 3).plan(shop("20260131235959", "20260115020000",
                "20260201000000", "20260228020000", "20260410020000", "20251231020000"), NOW, SEOUL);

        assertThat(keptStamps(plan)).containsExactly("20260131235959", "20260228020000", "20260410020000");
        assertThat(reasonFor(plan, "20260131235959")).isEqualTo("newest of month 2026-01");
    }

    @Test
    void grandfatherFatherSonOverAYearOfDailyBackups() {
        // one backup a day at 02:00 from 2025-10-25 to Saturday 2026-11-28 (400 days)
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2025, 10, 25), 400);
        assertThat(backups.get(399).time().toLocalDate()).isEqualTo(LocalDate.of(2026, 11, 28));

        List<Decision> plan = new RetentionPolicy(0, 0, 7, 4, 12).plan(backups, NOW, SEOUL);

        Set<LocalDate> expected = Set.of(
                // daily 7
                d(2026, 11, 22), d(2026, 11, 23), d(2026, 11, 24), d(2026, 11, 25), d(2026, 11, 26), d(2026, 11, 27),
                d(2026, 11, 28),
                // weekly 4: 2026-W48 (newest: Sat 11-28), W47 (Sun 11-22), W46 (Sun 11-15), W45 (Sun 11-08)
                d(2026, 11, 15), d(2026, 11, 8),
                // monthly 12: November (11-28) back to December 2025, each month's last day
                d(2026, 10, 31), d(2026, 9, 30), d(2026, 8, 31), d(2026, 7, 31), d(2026, 6, 30), d(2026, 5, 31),
                d(2026, 4, 30), d(2026, 3, 31), d(2026, 2, 28), d(2026, 1, 31), d(2025, 12, 31));
        assertThat(kept(plan).stream().map(k -> k.backup().time().toLocalDate()).collect(Collectors.toSet()))
                .isEqualTo(expected);
        assertThat(kept(plan)).hasSize(20);
        assertThat(decisionOf(plan, backup("shop", "20261128020000")).reason()).isEqualTo(
                "newest of database shop; newest of day 2026-11-28; newest of week 2026-W48; newest of month 2026-11");
        assertThat(decisionOf(plan, backup("shop", "20261122020000")).reason())
                .isEqualTo("newest of day 2026-11-22; newest of week 2026-W47");
        assertThat(decisionOf(plan, backup("shop", "20251130020000")).reason())
                .isEqualTo("kept by no rule (daily 7, weekly 4, monthly 12)");
    }

    @Test
    void aBackupIsKeptWhenAnyRuleKeepsIt() {
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2026, 8, 1), 120); // to 2026-11-28
        RetentionPolicy union = new RetentionPolicy(2, 10, 0, 0, 3);

        Set<String> kept = Set.copyOf(keys(kept(union.plan(backups, NOW, SEOUL))));

        Set<String> each = new java.util.HashSet<>();
        for (RetentionPolicy alone : List.of(new RetentionPolicy(2, 0, 0, 0, 0), new RetentionPolicy(0, 10, 0, 0, 0),
                new RetentionPolicy(0, 0, 0, 0, 3))) {
            each.addAll(keys(kept(alone.plan(backups, NOW, SEOUL))));
        }
        assertThat(kept).isEqualTo(each);
        // days 10 (after 11-18 12:00): 11-19 .. 11-28, which holds last 2; monthly 3 adds 10-31 and 09-30
        assertThat(kept).hasSize(10 + 2);
    }

    // ---- databases, keys, settings ----------------------------------------------------------------------------

    @Test
    void eachDatabaseIsJudgedOnItsOwnAndGzipAndZstdBackupsOfOneDatabaseCountTogether() {
        List<BackupKey> backups = new ArrayList<>(dailyBackups("shop", LocalDate.of(2026, 11, 1), 28));
        BackupKey oldZst = BackupKey.parse("2025/01/01/billing_20250101020000.sql.zst", "").orElseThrow();
        BackupKey olderGz = BackupKey.parse("2024/12/31/billing_20241231020000.sql.gz", "").orElseThrow();
        BackupKey oldest = BackupKey.parse("2024/12/30/billing_20241230020000.sql.zst", "").orElseThrow();
        backups.addAll(List.of(oldZst, olderGz, oldest));

        List<Decision> plan = new RetentionPolicy(2, 0, 0, 0, 0).plan(backups, NOW, SEOUL);

        assertThat(plan).extracting(d -> d.backup().database()).startsWith("billing", "billing", "billing").endsWith("shop");
        assertThat(keys(kept(plan))).containsExactly(olderGz.key(), oldZst.key(),
                backup("shop", "20261127020000").key(), backup("shop", "20261128020000").key());
    }

    @Test
    void twoBackupsInTheSameSecondAreOrderedByKey() {
        BackupKey gz = BackupKey.parse("2026/11/28/shop_20261128020000.sql.gz", "").orElseThrow();
        BackupKey zst = BackupKey.parse("2026/11/28/shop_20261128020000.sql.zst", "").orElseThrow();

        List<Decision> plan = new RetentionPolicy(0, 0, 1, 0, 0).plan(List.of(zst, gz), NOW, SEOUL);

        assertThat(plan).extracting(Decision::key).containsExactly(gz.key(), zst.key());
        assertThat(keys(kept(plan))).containsExactly(zst.key());
    }

    @Test
    void nothingToPlanIsAnEmptyPlan() {
        assertThat(new RetentionPolicy(1, 1, 1, 1, 1).plan(List.of(), NOW, SEOUL)).isEmpty();
    }

    @Test
    void theRulesInForceAreNamed() {
        assertThat(new RetentionPolicy(7, 30, 0, 4, 0).rules()).isEqualTo("last 7, days 30, weekly 4");
        assertThat(new RetentionPolicy(7, 30, 0, 4, 0).isOff()).isFalse();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    // ---- future-dated keys ------------------------------------------------------------------------------------

    @Test
    void sevenFutureDatedCopiesNeitherCountNorPushTheRealBackupsOutAndAreNeverDeleted() {
        List<BackupKey> backups = new ArrayList<>(dailyBackups("shop", LocalDate.of(2026, 11, 20), 8));
        List<BackupKey> future = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            future.add(backup("shop", "2099010" + i + "020000"));
        }
        backups.addAll(future);

        List<Decision> plan = new RetentionPolicy(7, 0, 0, 0, 0).plan(backups, NOW, SEOUL);

        assertThat(keys(kept(plan))).as("the 7 newest real backups and every future copy")
                .containsAll(keys(plan.subList(1, 8))).containsAll(future.stream().map(BackupKey::key).toList());
        assertThat(keys(plan.stream().filter(d -> !d.keep()).toList())).containsExactly(backups.get(0).key());
        assertThat(decisionOf(plan, backups.get(7)).reason()).isEqualTo("newest of database shop; one of the 7 newest good");
        assertThat(plan).filteredOn(d -> future.contains(d.backup()))
                .allSatisfy(d -> assertThat(d.reason()).isEqualTo(RetentionPolicy.FUTURE));
    }

    @Test
    void aKeyWithinTheSkewIsNotFutureButOneBeyondItIs() {
        // NOW is 2026-11-28 12:00 Seoul: 12:59 is within the hour of skew, 13:01 is not
        BackupKey near = backup("shop", "20261128125900");
        BackupKey beyond = backup("shop", "20261128130100");
        List<Decision> plan = new RetentionPolicy(1, 0, 0, 0, 0).plan(List.of(backup("shop", "20261127020000"), near,
                beyond), NOW, SEOUL);

        assertThat(decisionOf(plan, near).reason()).isEqualTo("newest of database shop; one of the 1 newest good");
        assertThat(decisionOf(plan, beyond).reason()).isEqualTo(RetentionPolicy.FUTURE);
        assertThat(plan.get(0).keep()).isFalse();
    }

    static BackupKey backup(String database, String stamp) {
        String key = "prod/" + stamp.substring(0, 4) + "/" + stamp.substring(4, 6) + "/" + stamp.substring(6, 8) + "/"
                + database + "_" + stamp + ".sql.gz";
        return BackupKey.parse(key, "prod/").orElseThrow(() -> new AssertionError("not a backup key: " + key));
    }

    /** Backups of database shop taken at {@code stamps} (the key's yyyyMMddHHmmss), in the order given. */
    static List<BackupKey> shop(String... stamps) {
        return java.util.Arrays.stream(stamps).map(stamp -> backup("shop", stamp)).toList();
    }

    /** The stamps of the backups {@code plan} keeps, in its order. */
    static List<String> keptStamps(List<Decision> plan) {
        return kept(plan).stream().map(d -> d.backup().time().format(STAMP)).toList();
    }

    /** Why {@code plan} keeps or deletes the backup of shop taken at {@code stamp}. */
    static String reasonFor(List<Decision> plan, String stamp) {
        return decisionOf(plan, backup("shop", stamp)).reason();
    }

    /** One backup a day at 02:00, oldest first. */
    static List<BackupKey> dailyBackups(String database, LocalDate first, int days) {
        List<BackupKey> backups = new ArrayList<>();
        for (int i = 0; i < days; i++) {
            backups.add(backup(database, first.plusDays(i).atTime(2, 0).format(STAMP)));
        }
        return backups;
    }

    static List<Decision> kept(List<Decision> plan) {
        return plan.stream().filter(Decision::keep).toList();
    }

    static List<String> keys(List<Decision> decisions) {
        return decisions.stream().map(Decision::key).toList();
    }

    static Decision decisionOf(List<Decision> plan, BackupKey backup) {
        return plan.stream().filter(d -> d.key().equals(backup.key())).findFirst().orElseThrow();
    }

    static LocalDate d(int year, int month, int day) {
        return LocalDate.of(year, month, day);
    }

    /**
     * Issue: after an incident every backup shrank. 12 backups, the last 11 shrunk: keep-last 3 keeps the one good
     * backup (the shrunk ones never count), and the shrunk ones newer than it stay as evidence.
     */
    @Test
    void shrunkBackupsNeverPushTheLastGoodOneOut() {
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2026, 11, 1), 12);
        java.util.Map<String, String> notGood = new java.util.HashMap<>();
        backups.stream().filter(b -> b.time().getDayOfMonth() > 1).forEach(b -> notGood.put(b.key(), "shrunk"));

        List<Decision> plan = new RetentionPolicy(3, 0, 0, 0, 0).plan(backups, notGood, NOW, SEOUL);

        assertThat(plan).allMatch(Decision::keep);
        assertThat(plan.get(0).reason()).isEqualTo("one of the 3 newest good");
        assertThat(plan.get(5).reason()).isEqualTo("shrunk, newer than the newest good backup");
    }

    /** Once good backups are back, older shrunk and unchecked ones go; the good ones are counted alone. */
    @Test
    void onlyGoodBackupsFillTheCountingRules() {
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2026, 11, 1), 10);
        java.util.Map<String, String> notGood = new java.util.HashMap<>();
        for (BackupKey b : backups) {
            int day = b.time().getDayOfMonth();
            if (day == 9 || day == 6 || day == 5) {
                notGood.put(b.key(), day == 9 ? "shrunk" : "unchecked");
            }
        }

        List<Decision> plan = new RetentionPolicy(3, 0, 2, 0, 0).plan(backups, notGood, NOW, SEOUL);

        assertThat(kept(plan)).extracting(d -> d.backup().time().getDayOfMonth()).containsExactly(7, 8, 10);
        assertThat(plan.get(8).reason()).startsWith("kept by no rule (last 3, daily 2); shrunk: not counted");
        assertThat(plan.get(6).reason()).isEqualTo("one of the 3 newest good");
    }

    /** keep-last 0: the newest good backup still stays, whatever the other rules say. */
    @Test
    void theNewestGoodBackupIsAlwaysKept() {
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2026, 9, 1), 5);
        java.util.Map<String, String> notGood = new java.util.HashMap<>();
        notGood.put(backups.stream().max(java.util.Comparator.comparing(BackupKey::time)).orElseThrow().key(), "unchecked");

        List<Decision> plan = new RetentionPolicy(0, 1, 0, 0, 0).plan(backups, notGood, NOW, SEOUL);

        assertThat(kept(plan)).extracting(d -> d.backup().time().getDayOfMonth()).containsExactly(4, 5);
        assertThat(plan.get(3).reason()).isEqualTo("the newest good backup (always kept)");
        assertThat(plan.get(4).reason()).isEqualTo("newest of database shop; unchecked, newer than the newest good backup");
    }

    /** No good backup at all (a bucket from before manifests): nothing is deleted. */
    @Test
    void withoutAnyGoodBackupNothingIsDeleted() {
        List<BackupKey> backups = dailyBackups("shop", LocalDate.of(2026, 1, 1), 4);
        java.util.Map<String, String> notGood = new java.util.HashMap<>();
        backups.forEach(b -> notGood.put(b.key(), "unchecked"));

        List<Decision> plan = new RetentionPolicy(1, 0, 0, 0, 0).plan(backups, notGood, NOW, SEOUL);

        assertThat(plan).allMatch(Decision::keep);
        assertThat(plan.get(0).reason()).isEqualTo("unchecked, and no backup is good");
    }
}
