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

    private RunProperties() {
    }
}
