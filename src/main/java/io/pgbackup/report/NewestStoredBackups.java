package io.pgbackup.report;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.BackupKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start of the newest backup of each database, read from the keys stored in the bucket ({@link BackupState}). */
final class NewestStoredBackups {

    /** Logged as the state's own: what the bucket tells it. */
    private static final Logger LOG = LoggerFactory.getLogger(BackupState.class);

    private NewestStoredBackups() {
    }

    /**
     * Database name to the start time (in {@code zone}, the keys' BACKUP_TIMEZONE) of its newest backup key; other
     * objects, and keys dated more than {@link BackupCatalog#FUTURE_SKEW} after {@code now} (logged), are left out.
     */
    static Map<String, Instant> of(Collection<String> keys, ZoneId zone, Instant now) {
        Map<String, Instant> newest = new LinkedHashMap<>();
        for (String key : keys) {
            BackupKey.parseListed(key).ifPresent(backup -> {
                if (BackupCatalog.isFuture(backup, zone, now)) {
                    LOG.warn("{} is dated more than {} h after now: not counted as fresh", key,
                            BackupCatalog.FUTURE_SKEW.toHours());
                    return;
                }
                newest.merge(backup.database(), backup.time().atZone(zone).toInstant(), (a, b) -> a.isAfter(b) ? a : b);
            });
        }
        return newest;
    }
}
