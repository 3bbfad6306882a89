package io.pgbackup.report;

import java.time.Instant;

/**
 * What is known about the backups of one database: the raw facts {@link BackupState} keeps and judges. Guarded by
 * the BackupState that holds it.
 */
final class DatabaseState {

    final String name;
    Instant lastSuccess;          // end of the last good backup run here
    Instant newestStored;         // start time in the newest key in the bucket
    Instant lastFailure;
    String lastFailureText;
    double lastDurationSeconds = Double.NaN;
    double lastBytes = Double.NaN;
    long successes;
    long failures;
    boolean alerted;
    String lastTestRestoreFailure;   // null while the newest test restore here passed (or none ran)

    DatabaseState(String name) {
        this.name = name;
    }

    /** The newest good backup known, from this process or the bucket; null when none. */
    Instant lastGood() {
        if (lastSuccess == null) {
            return newestStored;
        }
        return newestStored == null || lastSuccess.isAfter(newestStored) ? lastSuccess : newestStored;
    }

    /** True when the last backup run here failed and no good backup is known from after it. */
    boolean lastRunFailed() {
        Instant good = lastGood();
        return lastFailure != null && (good == null || lastFailure.isAfter(good));
    }
}
