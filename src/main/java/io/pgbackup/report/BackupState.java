package io.pgbackup.report;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.pgbackup.run.Durations;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this service knows about its backups, per database: the last good backup (from this process's outcomes and
 * from the newest key in the bucket, so a restarted instance knows it too), the last failure, the last test restore,
 * sizes, durations and counts; and what follows from it: the health verdict, the metrics' values and which databases
 * are due a stale alert. Plain Java, no Camel: {@link BackupStatus} feeds it from the routes.
 * <p>
 * A database is <em>stale</em> when its newest good backup is older than STALE_AFTER; when none is known at all,
 * the clock starts when this service started (a new installation is not stale before its first scheduled run).
 * The alert is sent once per stale episode: a database that was alerted is alerted again only after a good backup
 * made it fresh and it went stale again.
 */
public class BackupState {

    private static final Logger LOG = LoggerFactory.getLogger(BackupState.class);
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    /** The verdict for the health check: UP or not, and one line a person reads. */
    public record Health(boolean up, String message, Map<String, Object> details) {
    }

    private final Map<String, DatabaseState> databases = new LinkedHashMap<>();
    private final List<Consumer<String>> newDatabaseListeners = new ArrayList<>();
    private final List<String> announce = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Instant since = Instant.now();
    private Duration staleAfter = Duration.ofHours(26);
    private ZoneId zone = ZoneId.of("Asia/Seoul");

    // ---- what happened --------------------------------------------------------------------------------------------

    /** A backup of {@code name} that began at {@code started} (null: unknown) was stored; {@code bytes} -1: unknown. */
    public void recordSuccess(String name, Instant started, long bytes) {
        synchronized (this) {
            DatabaseState db = database(name);
            Instant now = clock.instant();
            db.lastSuccess = now;
            db.successes++;
            db.lastDurationSeconds = started == null ? Double.NaN : Math.max(0, Duration.between(started, now).toMillis()) / 1000.0;
            db.lastBytes = bytes < 0 ? Double.NaN : bytes;
            if (db.alerted) {
                LOG.info("backups of {} are fresh again", name);
                db.alerted = false;
            }
        }
        announceNew();
    }

    /** A backup of {@code name} failed in {@code stage}. */
    public void recordFailure(String name, String stage) {
        synchronized (this) {
            DatabaseState db = database(name);
            db.lastFailure = clock.instant();
            db.lastFailureText = failureText(stage);
            db.failures++;
        }
        announceNew();
    }

    /** A test restore of {@code name} passed ({@code failedStage} null) or failed in {@code failedStage}. */
    public void recordTestRestore(String name, String failedStage) {
        synchronized (this) {
            database(name).lastTestRestoreFailure = failedStage == null ? null : failureText(failedStage);
        }
        announceNew();
    }

    /**
     * The keys stored in the bucket: keeps the newest start time of each database tracked here (keys of other
     * databases, other objects, and keys dated in the future are left out: {@link NewestStoredBackups}).
     */
    public synchronized void recordStoredKeys(Collection<String> keys) {
        Map<String, Instant> newest = NewestStoredBackups.of(keys, zone, clock.instant());
        newest.forEach((name, started) -> {
            DatabaseState db = databases.get(name);
            if (db == null) {
                return; // a database this service does not back up (any more)
            }
            if (db.newestStored == null || started.isAfter(db.newestStored)) {
                db.newestStored = started;
            }
        });
    }

    /**
     * How a failure reads in the health message: "stage dump at 2026-12-01T05:26:10Z". Never the cause: that is the
     * failing command's text (hosts, users, SQL), for the log and the notifications, not for whoever can reach the
     * health endpoint.
     */
    private String failureText(String stage) {
        return "stage " + stage + " at " + clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    // ---- the stale alert ------------------------------------------------------------------------------------------

    /**
     * One line for the stale alert naming each database that went stale since it was last alerted, with the age of
     * its newest good backup; empty when none did. Marks them alerted.
     */
    public Optional<String> staleAlert() {
        List<String> due = staleDatabasesToAlert();
        return due.isEmpty() ? Optional.empty() : Optional.of("no good backup within STALE_AFTER "
                + Durations.human(getStaleAfter()) + ": " + String.join("; ", due));
    }

    /** The databases stale now and not yet alerted in this episode (each described); marks them alerted. */
    public synchronized List<String> staleDatabasesToAlert() {
        Instant now = clock.instant();
        List<String> due = new ArrayList<>();
        for (DatabaseState db : databases.values()) {
            boolean stale = isStale(db, now);
            if (stale && !db.alerted) {
                db.alerted = true;
                due.add(describeAge(db, now));
            } else if (!stale && db.alerted) {
                LOG.info("backups of {} are fresh again", db.name);
                db.alerted = false;
            }
        }
        return due;
    }

    // ---- health and metrics ---------------------------------------------------------------------------------------

    /**
     * DOWN when a database's last backup failed (and nothing good came since), it is stale, or its last test restore
     * failed (a stored backup that does not restore is no backup; a passing test restore clears it).
     */
    public synchronized Health health() {
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("stale.after", Durations.human(staleAfter));
        for (DatabaseState db : databases.values()) {
            Instant good = db.lastGood();
            details.put(db.name + ".last.good.backup", good == null ? "none" : show(good));
            if (db.lastRunFailed()) {
                problems.add(db.name + ": last backup failed (" + db.lastFailureText + ")");
            }
            if (db.lastTestRestoreFailure != null) {
                problems.add(db.name + ": last test restore failed (" + db.lastTestRestoreFailure + ")");
            }
            if (isStale(db, now)) {
                problems.add(describeAge(db, now) + (good == null ? ", longer than" : ", older than") + " STALE_AFTER "
                        + Durations.human(staleAfter));
            }
        }
        if (problems.isEmpty()) {
            return new Health(true, databases.size() + " database(s) backed up within STALE_AFTER "
                    + Durations.human(staleAfter), details);
        }
        return new Health(false, String.join("; ", problems), details);
    }

    /** Seconds since the epoch of the newest good backup (end of a run here, else the start in the newest key); 0 when none. */
    public synchronized double lastSuccessEpochSeconds(String name) {
        DatabaseState db = databases.get(name);
        Instant good = db == null ? null : db.lastGood();
        return good == null ? 0 : good.toEpochMilli() / 1000.0;
    }

    /** Duration of the last good backup run by this process; NaN when none. */
    public synchronized double lastDurationSeconds(String name) {
        DatabaseState db = databases.get(name);
        return db == null ? Double.NaN : db.lastDurationSeconds;
    }

    /** Compressed size of the last good backup run by this process; NaN when none. */
    public synchronized double lastBytes(String name) {
        DatabaseState db = databases.get(name);
        return db == null ? Double.NaN : db.lastBytes;
    }

    public synchronized double failures(String name) {
        DatabaseState db = databases.get(name);
        return db == null ? 0 : db.failures;
    }

    public synchronized double successes(String name) {
        DatabaseState db = databases.get(name);
        return db == null ? 0 : db.successes;
    }

    public synchronized Set<String> databases() {
        return new LinkedHashSet<>(databases.keySet());
    }

    /** Called with each database's name now and whenever a new one appears (the metrics register it). */
    public void onDatabase(Consumer<String> listener) {
        Set<String> known;
        synchronized (this) {
            newDatabaseListeners.add(listener);
            known = new LinkedHashSet<>(databases.keySet());
        }
        known.forEach(listener);
    }

    // ---- settings -------------------------------------------------------------------------------------------------

    /** Databases to track before anything happened to them (DB_NAME's names), so that they can go stale. */
    public void track(Collection<String> names) {
        synchronized (this) {
            names.forEach(this::database);
        }
        announceNew();
    }

    public synchronized void setStaleAfter(Duration staleAfter) {
        this.staleAfter = staleAfter;
    }

    public synchronized Duration getStaleAfter() {
        return staleAfter;
    }

    /** The zone of the times in the backup keys (BACKUP_TIMEZONE), also used to show times. */
    public synchronized void setZone(ZoneId zone) {
        this.zone = zone;
    }

    /** For tests: a clock of their own; the service's start time is taken from it. */
    public synchronized void setClock(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private boolean isStale(DatabaseState db, Instant now) {
        Instant good = db.lastGood();
        Instant reference = good == null ? since : good;
        return Duration.between(reference, now).compareTo(staleAfter) > 0;
    }

    private String describeAge(DatabaseState db, Instant now) {
        Instant good = db.lastGood();
        if (good == null) {
            return db.name + ": no good backup known, service up for " + Durations.human(Duration.between(since, now));
        }
        return db.name + ": newest good backup " + Durations.human(Duration.between(good, now)) + " ago (" + show(good) + ")";
    }

    private String show(Instant instant) {
        return SHOWN.format(instant.atZone(zone));
    }

    /** The database's state, created on first sight; call with the lock held, then {@link #announceNew}. */
    private DatabaseState database(String name) {
        return databases.computeIfAbsent(name, n -> {
            announce.add(n);
            return new DatabaseState(n);
        });
    }

    /** Tells the listeners (the metrics) about databases seen for the first time; never with the lock held. */
    private void announceNew() {
        List<String> names;
        List<Consumer<String>> listeners;
        synchronized (this) {
            if (announce.isEmpty()) {
                return;
            }
            names = new ArrayList<>(announce);
            announce.clear();
            listeners = new ArrayList<>(newDatabaseListeners);
        }
        for (String name : names) {
            listeners.forEach(l -> l.accept(name));
        }
    }
}
