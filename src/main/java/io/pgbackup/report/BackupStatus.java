package io.pgbackup.report;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import io.pgbackup.run.DatabaseList;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.Durations;
import io.pgbackup.storage.BackupCatalog;

import org.apache.camel.Exchange;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The routes' side of {@link BackupState} (bean backupStatus): reads each outcome from the exchange (backup.yaml,
 * verify.yaml, failures.yaml), the stored backups from the list route and answers the stale check (health.yaml), and
 * turns the settings of beans.yaml into the state's. The health check and the metrics read {@link #state()}.
 */
public class BackupStatus {

    public static final String STALE_ALERT = "staleAlert";
    public static final String STALE_SUMMARY = "staleSummary";

    private final BackupState state = new BackupState();
    private BackupCatalog catalog;

    /** What this service knows about its backups. */
    public BackupState state() {
        return state;
    }

    // ---- outcomes (backup.yaml, verify.yaml, failures.yaml) -------------------------------------------------------

    /** After a backup was stored: exchange properties dbName, startedAt, compressedBytes. */
    public void succeeded(Exchange exchange) {
        Date started = DatabaseRun.of(exchange).startedAt();
        Long bytes = DatabaseRun.of(exchange).compressedBytes();
        state.recordSuccess(databaseOf(exchange), started == null ? null : started.toInstant(), bytes == null ? -1 : bytes);
    }

    /** After a backup failed (dead-letter route): exchange properties dbName, failedStage. */
    public void failed(Exchange exchange) {
        state.recordFailure(databaseOf(exchange), failedStage(exchange));
    }

    /** After a test restore passed (verify.yaml): the database's newest backup is proven restorable again. */
    public void verified(Exchange exchange) {
        state.recordTestRestore(databaseOf(exchange), null);
    }

    /** After a test restore failed (failures.yaml, verify-failed): health is DOWN until one passes. */
    public void verifyFailed(Exchange exchange) {
        state.recordTestRestore(databaseOf(exchange), failedStage(exchange));
    }

    // ---- the bucket and the stale check (health.yaml) -------------------------------------------------------------

    /**
     * Reads the list route's result (the stored backups) and keeps the newest key time of each database: of its newest
     * good backup when the catalog is there (manifest, no warning, signed when SIGNATURE_PUBLIC_KEYS is set, not
     * future-dated), so that a backup the catalog passes over never makes a database fresh.
     */
    @SuppressWarnings("unchecked")
    public void storedBackups(Exchange exchange) {
        List<S3Object> objects = exchange.getMessage().getBody(List.class);
        if (catalog != null && objects != null) {
            objects = catalog.newestGoodOfEach(objects, BackupCatalog.manifests(exchange));
        }
        List<String> keys = new ArrayList<>();
        if (objects != null) {
            objects.forEach(o -> keys.add(o.key()));
        }
        state.recordStoredKeys(keys);
    }

    /**
     * Sets exchange property {@value #STALE_ALERT} to true when a database went stale since the last alert, with a
     * one-line {@value #STALE_SUMMARY} naming each such database and the age of its newest good backup.
     */
    public void check(Exchange exchange) {
        Optional<String> alert = state.staleAlert();
        exchange.setProperty(STALE_ALERT, alert.isPresent());
        alert.ifPresent(summary -> exchange.setProperty(STALE_SUMMARY, summary));
    }

    // ---- settings (beans.yaml) ------------------------------------------------------------------------------------

    /**
     * DB_NAME: the databases this service backs up, tracked from the start so that they can go stale. With {@code *}
     * the databases are those the bucket and this service's runs show (the server's list can change).
     */
    public void setDatabases(String names) {
        DatabaseList.Names parsed = DatabaseList.parse(names);
        if (!parsed.everyDatabase()) {
            state.track(parsed.names());
        }
    }

    /**
     * STALE_AFTER: 26h, 90m, 2d, 45s or ISO-8601 (PT26H). The settings check refuses a bad value before any bean is
     * made; should one get here anyway, it is refused too (no second default beside the declared one).
     */
    public void setStaleAfter(String staleAfter) {
        try {
            state.setStaleAfter(Durations.parse(staleAfter));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("STALE_AFTER: '" + staleAfter + "' is not a duration like 26h, 90m, 2d or PT26H");
        }
    }

    /** BACKUP_TIMEZONE: a zone like Asia/Seoul; refused like {@link #setStaleAfter} when it is not one. */
    public void setTimezone(String timezone) {
        try {
            state.setZone(ZoneId.of(timezone));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("BACKUP_TIMEZONE: '" + timezone + "' is not a time zone like Asia/Seoul or UTC");
        }
    }

    /** The catalog that tells which stored backups are good (beans.yaml); without it, every key counts. */
    public void setCatalog(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static String databaseOf(Exchange exchange) {
        String name = DatabaseRun.databaseOr(exchange, null);
        return name == null || name.isBlank() ? "unknown" : name;
    }

    private static String failedStage(Exchange exchange) {
        return exchange.getProperty(RunReport.FAILED_STAGE, "?", String.class);
    }
}
