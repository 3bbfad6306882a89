package io.pgbackup.run;

/**
 * The exchange properties of a whole run (a command, or one fire of a schedule), as opposed to one database's run
 * ({@link DatabaseRun}, exchange property {@value DatabaseRun#PROPERTY}).
 */
public final class RunProperties {

    /** The databases asked for, as DB_NAME (or restore --database) says: a name, a comma list or {@code *}. */
    public static final String DATABASES_ASKED = "dbNames";
    /** The stage a failure outside every stage route is reported in (report/FailedStage names the others). */
    public static final String STAGE = "stage";
    /** The first line of why the run failed, as the report and the alerts tell it (report/RunReport writes it). */
    public static final String FAILURE_CAUSE = "failureCause";
    /** True when prune only lists what it would delete (retention/Pruning, storage/IncompleteUploads). */
    public static final String PRUNE_DRY_RUN = "pruneDryRun";
    /**
     * How the run (or one database's run) ended, as reported and notified: SUCCESS, FAILED, ALERT (a warning),
     * VERIFIED, RESTORED (report/RunReport sets it; notify.yaml holds it aside while an alert is sent).
     */
    public static final String OUTCOME = "outcome";
    /**
     * The server psql, pg_dump and pg_restore go to next: {@code source} (DB_*, the default), {@code verify}
     * (VERIFY_DB_*), {@code restore} (RESTORE_DB_*); exec/PostgresEnvironmentBinding reads it.
     */
    public static final String PG_SERVER = "pgServer";
    /** The key named with --key (empty: choose the newest good backup); storage/BackupCatalog reads it. */
    public static final String REQUESTED_KEY = "restoreKey";
    /** A {@link java.time.LocalDateTime} in BACKUP_TIMEZONE; only backups at or before it are chosen (--before). */
    public static final String NOT_AFTER = "restoreBefore";
    /** The database whose backups list.yaml lists (absent or empty: all); storage/ObjectListing reads it. */
    public static final String LIST_DATABASE = "listDatabase";

    private RunProperties() {
    }
}
