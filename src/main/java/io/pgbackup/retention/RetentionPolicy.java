package io.pgbackup.retention;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.BackupKey;

/**
 * Which backups to keep and which to delete. Each database on its own; a backup is kept when any rule keeps it;
 * a rule set to 0 is off, and with every rule off nothing is deleted. The newest backup of each database is always
 * kept. A backup's time is the timestamp in its key (a local time in BACKUP_TIMEZONE).
 * <p>
 * Only <em>good</em> backups (manifest present, no warning) count toward the counting rules, so that a run of shrunk
 * or unchecked backups can never push the last good ones out:
 * <ul>
 * <li>keep-last N: the N newest good backups; the newest good backup is always kept (N is at least 1);</li>
 * <li>keep-days D: every backup younger than D days (D x 24 h before now), good or not;</li>
 * <li>daily / weekly / monthly N: the newest good backup of each of the N most recent calendar days / ISO weeks /
 * months that have one;</li>
 * <li>a backup that is not good is kept while it is newer than the newest good one (the evidence of what happened
 * since), and when there is no good backup at all nothing is deleted;</li>
 * <li>a backup whose key is dated more than {@link BackupCatalog#FUTURE_SKEW} after now (a copy under a 2099 key, a
 * host whose clock jumped) is never deleted and never counted: it is not good, not the newest, and no rule counts
 * it.</li>
 * </ul>
 * The five rules are the RETENTION_* settings (each 0 or more: their declarations' range, checked at start).
 */
public record RetentionPolicy(int keepLast, int keepDays, int daily, int weekly, int monthly) {

    /** KEEP or DELETE of one backup, and why. */
    public record Decision(BackupKey backup, boolean keep, String reason) {
        public String key() {
            return backup.key();
        }

        /** The manifest's signature beside the backup ({@code KEY.manifest.json.asc}), deleted with it. */
        public String signatureKey() {
            return io.pgbackup.crypto.ManifestSignature.keyOf(backup.manifestKey());
        }

        public String action() {
            return keep ? "KEEP" : "DELETE";
        }
    }

    /** The reason a future-dated backup is kept. */
    public static final String FUTURE = "future-dated (more than " + BackupCatalog.FUTURE_SKEW.toHours()
            + " h after now): never deleted, not counted by the rules";

    /** Every rule is 0: nothing is ever deleted. */
    public boolean isOff() {
        return keepLast == 0 && keepDays == 0 && daily == 0 && weekly == 0 && monthly == 0;
    }

    /** The rules in force, e.g. "last 7, days 30, monthly 12". */
    public String rules() {
        List<String> rules = new ArrayList<>();
        addRule(rules, "last", keepLast);
        addRule(rules, "days", keepDays);
        addRule(rules, "daily", daily);
        addRule(rules, "weekly", weekly);
        addRule(rules, "monthly", monthly);
        return rules.isEmpty() ? "off" : String.join(", ", rules);
    }

    /**
     * A decision for every backup: by database (in name order), oldest first within a database.
     *
     * @param now  the moment keep-days counts back from
     * @param zone BACKUP_TIMEZONE: the keys' timestamps are local times there
     */
    public List<Decision> plan(List<BackupKey> backups, Instant now, ZoneId zone) {
        return plan(backups, Map.of(), now, zone);
    }

    /** @param notGood the backups that are not good, by key, with their state ("shrunk", "unchecked", ...) */
    public List<Decision> plan(List<BackupKey> backups, Map<String, String> notGood, Instant now, ZoneId zone) {
        Map<String, List<BackupKey>> byDatabase = new TreeMap<>();
        for (BackupKey backup : backups) {
            byDatabase.computeIfAbsent(backup.database(), d -> new ArrayList<>()).add(backup);
        }
        List<Decision> plan = new ArrayList<>(backups.size());
        byDatabase.forEach((database, ofDatabase) -> plan.addAll(planDatabase(database, ofDatabase, notGood, now, zone)));
        return plan;
    }

    private List<Decision> planDatabase(String database, List<BackupKey> backups, Map<String, String> notGood,
            Instant now, ZoneId zone) {
        List<BackupKey> newestFirst = new ArrayList<>(backups);
        newestFirst.sort(Comparator.comparing(BackupKey::time).thenComparing(BackupKey::key).reversed());
        List<List<String>> reasons = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            reasons.add(new ArrayList<>());
        }
        List<Boolean> future = new ArrayList<>();
        int newest = newestFirst.size();
        for (int i = 0; i < newestFirst.size(); i++) {
            future.add(BackupCatalog.isFuture(newestFirst.get(i), zone, now));
            if (future.get(i)) {
                reasons.get(i).add(FUTURE);
            } else if (newest == newestFirst.size()) {
                newest = i;
            }
        }
        if (isOff()) {
            reasons.forEach(r -> r.add("retention off"));
        } else {
            if (newest < newestFirst.size()) {
                reasons.get(newest).add("newest of database " + database);
            }
            List<Integer> good = new ArrayList<>();
            for (int i = 0; i < newestFirst.size(); i++) {
                if (!notGood.containsKey(newestFirst.get(i).key()) && !future.get(i)) {
                    good.add(i);
                }
            }
            for (int n = 0; n < Math.min(keepLast, good.size()); n++) {
                reasons.get(good.get(n)).add("one of the " + keepLast + " newest good");
            }
            int newestGood = good.isEmpty() ? newestFirst.size() : good.get(0);
            for (int i = 0; i < newestGood; i++) {
                if (future.get(i)) {
                    continue;
                }
                reasons.get(i).add(notGood.get(newestFirst.get(i).key()) + (good.isEmpty() ? ", and no backup is good"
                        : ", newer than the newest good backup"));
            }
            if (keepDays > 0) {
                Instant cutoff = now.minus(Duration.ofDays(keepDays));
                for (int i = 0; i < newestFirst.size(); i++) {
                    if (!future.get(i) && newestFirst.get(i).time().atZone(zone).toInstant().isAfter(cutoff)) {
                        reasons.get(i).add("younger than " + keepDays + " days");
                    }
                }
            }
            newestOfEach(newestFirst, good, daily, LocalDateTime::toLocalDate, "newest of day ", reasons);
            newestOfEach(newestFirst, good, weekly, RetentionPolicy::isoWeek, "newest of week ", reasons);
            newestOfEach(newestFirst, good, monthly, YearMonth::from, "newest of month ", reasons);
            if (!good.isEmpty() && reasons.get(good.get(0)).isEmpty()) {
                reasons.get(good.get(0)).add("the newest good backup (always kept)");
            }
        }
        List<Decision> decisions = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            List<String> why = reasons.get(i);
            String state = notGood.get(newestFirst.get(i).key());
            decisions.add(why.isEmpty()
                    ? new Decision(newestFirst.get(i), false, "kept by no rule (" + rules() + ")"
                            + (state == null ? "" : "; " + state + ": not counted by the rules"))
                    : new Decision(newestFirst.get(i), true, String.join("; ", why)));
        }
        return decisions;
    }

    /** Marks the newest good backup of each of the {@code count} most recent periods that have one. */
    private static void newestOfEach(List<BackupKey> newestFirst, List<Integer> good, int count,
            Function<LocalDateTime, Object> period, String label, List<List<String>> reasons) {
        Set<Object> periods = new HashSet<>();
        for (int n = 0; n < good.size() && periods.size() < count; n++) {
            int i = good.get(n);
            Object p = period.apply(newestFirst.get(i).time());
            if (periods.add(p)) {
                reasons.get(i).add(label + p);
            }
        }
    }

    private static String isoWeek(LocalDateTime time) {
        return String.format("%d-W%02d", time.get(IsoFields.WEEK_BASED_YEAR), time.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    private static void addRule(List<String> rules, String name, int value) {
        if (value > 0) {
            rules.add(name + " " + value);
        }
    }
}
