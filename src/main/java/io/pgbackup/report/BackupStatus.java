package io.pgbackup.report;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.pgbackup.DatabaseList;
import io.pgbackup.storage.BackupKey;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What this service knows about its backups, per database: the last good backup (from this process's outcomes and
 * from the newest key in the bucket, so a restarted instance knows it too), the last failure, sizes, durations and
 * counts. The health check, the metrics and the stale-backup alert read it.
 * <p>
 * A database is <em>stale</em> when its newest good backup is older than STALE_AFTER; when none is known at all,
 * the clock starts when this service started (a new installation is not stale before its first scheduled run).
 * The alert is sent once per stale episode: a database that was alerted is alerted again only after a good backup
 * made it fresh and it went stale again.
 */
public class BackupStatus {

    public static final String STALE_ALERT = "staleAlert";
    public static final String STALE_SUMMARY = "staleSummary";

    private static final Logger LOG = LoggerFactory.getLogger(BackupStatus.class);
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    /** One database. Guarded by the BackupStatus instance. */
    public static final class Database {
        private final String name;
        private Instant lastSuccess;          // end of the last good backup run here
        private Instant newestStored;         // start time in the newest key in the bucket
        private Instant lastFailure;
        private String lastFailureText;
        private double lastDurationSeconds = Double.NaN;
        private double lastBytes = Double.NaN;
        private long successes;
        private long failures;
        private boolean alerted;
        private String lastTestRestoreFailure;   // null while the newest test restore here passed (or none ran)

        Database(String name) {
            this.name = name;
        }

        /** The newest good backup known, from this process or the bucket; null when none. */
        Instant lastGood() {
            if (lastSuccess == null) {
                return newestStored;
            }
            return newestStored == null || lastSuccess.isAfter(newestStored) ? lastSuccess : newestStored;
        }

        boolean lastRunFailed() {
            Instant good = lastGood();
            return lastFailure != null && (good == null || lastFailure.isAfter(good));
        }
    }

    /** The verdict for the health check: UP or not, and one line a person reads. */
    public record Health(boolean up, String message, Map<String, Object> details) {
    }

    private final Map<String, Database> databases = new LinkedHashMap<>();
    private final List<Consumer<String>> newDatabaseListeners = new ArrayList<>();
    private final List<String> announce = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Instant since = Instant.now();
    private Duration staleAfter = Duration.ofHours(26);
    private ZoneId zone = ZoneId.of("Asia/Seoul");

    // ---- outcomes (backup.yaml, failures.yaml) -------------------------------------------------------------------

    /** After a backup was stored: exchange properties dbName, startedAt, compressedBytes. */
    public void succeeded(Exchange exchange) {
        Date started = exchange.getProperty("startedAt", Date.class);
        Long bytes = exchange.getProperty("compressedBytes", Long.class);
        recordSuccess(databaseOf(exchange), started == null ? null : started.toInstant(), bytes == null ? -1 : bytes);
    }

    /** After a backup failed (dead-letter route): exchange properties dbName, failedStage, failureCause. */
    public void failed(Exchange exchange) {
        recordFailure(databaseOf(exchange), exchange.getProperty(RunReport.FAILED_STAGE, "?", String.class),
                exchange.getProperty(RunReport.FAILURE_CAUSE, "?", String.class));
    }

    /** After a test restore passed (verify.yaml): the database's newest backup is proven restorable again. */
    public void verified(Exchange exchange) {
        recordTestRestore(databaseOf(exchange), null);
    }

    /** After a test restore failed (failures.yaml, verify-failed): health is DOWN until one passes. */
    public void verifyFailed(Exchange exchange) {
        recordTestRestore(databaseOf(exchange), failureText(exchange.getProperty(RunReport.FAILED_STAGE, "?", String.class)));
    }

    /** {@code failure} null: the test restore passed. */
    public void recordTestRestore(String name, String failure) {
        synchronized (this) {
            database(name).lastTestRestoreFailure = failure;
        }
        announceNew();
    }

    public void recordSuccess(String name, Instant started, long bytes) {
        synchronized (this) {
            Database db = database(name);
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

    public void recordFailure(String name, String stage, String cause) {
        synchronized (this) {
            Database db = database(name);
            db.lastFailure = clock.instant();
            db.lastFailureText = failureText(stage);
            db.failures++;
        }
        announceNew();
    }

    /**
     * How a failure reads in the health message: "stage dump at 2026-12-01T05:26:10Z". Never the cause: that is the
     * failing command's text (hosts, users, SQL), for the log and the notifications, not for whoever can reach the
     * health endpoint.
     */
    private String failureText(String stage) {
        return "stage " + stage + " at " + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    // ---- the bucket (health.yaml, after the list route) ----------------------------------------------------------

    /** Reads the list route's result (the stored backups) and keeps the newest key time of each database. */
    @SuppressWarnings("unchecked")
    public void storedBackups(Exchange exchange) {
        List<S3Object> objects = exchange.getMessage().getBody(List.class);
        List<String> keys = new ArrayList<>();
        if (objects != null) {
            objects.forEach(o -> keys.add(o.key()));
        }
        recordStoredKeys(keys);
    }

    public synchronized void recordStoredKeys(List<String> keys) {
        Map<String, Instant> newest = new LinkedHashMap<>();
        for (String key : keys) {
            BackupKey.parseListed(key).ifPresent(backup -> newest.merge(backup.database(),
                    backup.time().atZone(zone).toInstant(), (a, b) -> a.isAfter(b) ? a : b));
        }
        newest.forEach((name, started) -> {
            Database db = databases.get(name);
            if (db == null) {
                return; // a database this service does not back up (any more)
            }
            if (db.newestStored == null || started.isAfter(db.newestStored)) {
                db.newestStored = started;
            }
        });
    }

    // ---- the stale check (health.yaml, on its own timer) ---------------------------------------------------------

    /**
     * Sets exchange property {@value #STALE_ALERT} to true when a database went stale since the last alert, with a
     * one-line {@value #STALE_SUMMARY} naming each such database and the age of its newest good backup.
     */
    public void check(Exchange exchange) {
        List<String> due = staleDatabasesToAlert();
        exchange.setProperty(STALE_ALERT, !due.isEmpty());
        if (!due.isEmpty()) {
            exchange.setProperty(STALE_SUMMARY, "no good backup within STALE_AFTER " + Durations.human(staleAfter) + ": "
                    + String.join("; ", due));
        }
    }

    /** The databases stale now and not yet alerted in this episode (each described); marks them alerted. */
    public synchronized List<String> staleDatabasesToAlert() {
        Instant now = clock.instant();
        List<String> due = new ArrayList<>();
        for (Database db : databases.values()) {
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

    // ---- health and metrics --------------------------------------------------------------------------------------

    /**
     * DOWN when a database's last backup failed (and nothing good came since), it is stale, or its last test restore
     * failed (a stored backup that does not restore is no backup; a passing test restore clears it).
     */
    public synchronized Health health() {
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("stale.after", Durations.human(staleAfter));
        for (Database db : databases.values()) {
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
            return new Health(true, databases.size() + " database(s) backed up within STALE_AFTER " + Durations.human(staleAfter), details);
        }
        return new Health(false, String.join("; ", problems), details);
    }

    /** Seconds since the epoch of the newest good backup (end of a run here, else the start in the newest key); 0 when none. */
    public synchronized double lastSuccessEpochSeconds(String name) {
        Database db = databases.get(name);
        Instant good = db == null ? null : db.lastGood();
        return good == null ? 0 : good.toEpochMilli() / 1000.0;
    }

    /** Duration of the last good backup run by this process; NaN when none. */
    public synchronized double lastDurationSeconds(String name) {
        Database db = databases.get(name);
        return db == null ? Double.NaN : db.lastDurationSeconds;
    }

    /** Compressed size of the last good backup run by this process; NaN when none. */
    public synchronized double lastBytes(String name) {
        Database db = databases.get(name);
        return db == null ? Double.NaN : db.lastBytes;
    }

    public synchronized double failures(String name) {
        Database db = databases.get(name);
        return db == null ? 0 : db.failures;
    }

    public synchronized double successes(String name) {
        Database db = databases.get(name);
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

    // ---- helpers -------------------------------------------------------------------------------------------------

    private boolean isStale(Database db, Instant now) {
        Instant good = db.lastGood();
        Instant reference = good == null ? since : good;
        return Duration.between(reference, now).compareTo(staleAfter) > 0;
    }

    private String describeAge(Database db, Instant now) {
        Instant good = db.lastGood();
        if (good == null) {
            return db.name + ": no good backup known, service up for " + Durations.human(Duration.between(since, now));
        }
        return db.name + ": newest good backup " + Durations.human(Duration.between(good, now)) + " ago (" + show(good) + ")";
    }

    private String show(Instant instant) {
        return SHOWN.format(instant.atZone(zone));
    }

    private String databaseOf(Exchange exchange) {
        String name = exchange.getProperty("dbName", String.class);
        return name == null || name.isBlank() ? "unknown" : name;
    }

    /** The database's state, created on first sight; call with the lock held, then {@link #announceNew}. */
    private Database database(String name) {
        return databases.computeIfAbsent(name, n -> {
            announce.add(n);
            return new Database(n);
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

    // ---- settings (beans.yaml) -----------------------------------------------------------------------------------

    /**
     * The databases this service backs up, separated by commas (a name may hold spaces): DB_NAME. With {@code *} the
     * databases are those the bucket and this service's runs show (the server's list can change).
     */
    public void setDatabases(String names) {
        DatabaseList.Names parsed = DatabaseList.parse(names);
        if (parsed.everyDatabase()) {
            return;
        }
        synchronized (this) {
            parsed.names().forEach(this::database);
        }
        announceNew();
    }

    /** STALE_AFTER: 26h, 90m, 2d, 45s or ISO-8601 (PT26H); a bad value is reported by the settings check. */
    public synchronized void setStaleAfter(String staleAfter) {
        try {
            this.staleAfter = Durations.parse(staleAfter);
        } catch (RuntimeException e) {
            this.staleAfter = Duration.ofHours(26);
        }
    }

    public synchronized void setTimezone(String timezone) {
        try {
            this.zone = ZoneId.of(timezone);
        } catch (java.time.DateTimeException e) {
            this.zone = ZoneId.of("UTC");
        }
    }

    /** For tests: a clock of their own; the service's start time is taken from it. */
    public synchronized void setClock(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    public synchronized Duration getStaleAfter() {
        return staleAfter;
    }
}
