package io.pgbackup.retention;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.pgbackup.retention.RetentionPolicy.Decision;
import io.pgbackup.storage.ObjectLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention's plan with every DELETE whose objects (the backup, its manifest, its signature) the store still holds
 * locked turned into a KEEP "LOCKED until DATE": neither deleted nor a failure, and deleted by the first prune after
 * the date. With OBJECT_LOCK_MODE empty the plan is returned as it is and the store is not asked.
 */
final class LockedBackups {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.object-lock");

    private LockedBackups() {
    }

    static List<Decision> hold(ObjectLock lock, List<Decision> plan) {
        if (!lock.isOn()) {
            return plan;
        }
        Instant now = lock.now();
        List<Decision> held = new ArrayList<>(plan.size());
        for (Decision decision : plan) {
            Instant until = decision.keep() ? null : lock.lockedUntil(
                    List.of(decision.key(), decision.backup().manifestKey(), decision.signatureKey()), now);
            if (until == null) {
                held.add(decision);
                continue;
            }
            LOG.info("retention keeps {}/{}: {}{} (Object Lock); {}: deleted once the lock has passed", lock.bucket(),
                    decision.key(), ObjectLock.LOCKED, until, decision.reason());
            String reason = ObjectLock.LOCKED + until + " (then: " + decision.reason() + ")";
            held.add(new Decision(decision.backup(), true, reason));
        }
        return held;
    }
}
