package io.pgbackup.retention;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgbackup.retention.RetentionPolicy.Decision;
import io.pgbackup.run.RunProperties;
import io.pgbackup.settings.SettingsDeclaration;
import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.BackupKey;
import io.pgbackup.storage.ObjectLock;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * The prune route's helper (retention.yaml): the RETENTION_* settings as a {@link RetentionPolicy}, and the listed
 * backups turned into a plan. Exchange properties: {@link #DRY_RUN} and {@link #DATABASE} in, {@link #PLAN} and
 * {@link #SUMMARY} out.
 */
public class Pruning {

    /** In: true = delete nothing, only log what would go. */
    public static final String DRY_RUN = RunProperties.PRUNE_DRY_RUN;
    /** In: prune only this database's backups (unset or empty: every database under BACKUP_PREFIX). */
    public static final String DATABASE = "pruneDatabase";
    /** Out: a {@link Decision} for every backup listed, by database, oldest first. */
    public static final String PLAN = "prunePlan";
    /** Out: one line: the rules, how many backups were kept and deleted. */
    public static final String SUMMARY = "pruneSummary";

    private ObjectLock objectLock = new ObjectLock();

    public boolean isOff(Exchange exchange) {
        return policy(exchange.getContext()).isOff();
    }

    /** Retention off: an empty plan, and a summary that says so. */
    public void off(Exchange exchange) {
        exchange.setProperty(PLAN, List.of());
        exchange.setProperty(SUMMARY, "retention is off (RETENTION_KEEP_LAST, RETENTION_KEEP_DAYS, RETENTION_DAILY, "
                + "RETENTION_WEEKLY and RETENTION_MONTHLY are all 0): nothing deleted");
    }

    /**
     * Body: the listed backups with their states ({@link BackupCatalog#describe}). Sets {@link #PLAN} and
     * {@link #SUMMARY}; returns the decisions to delete.
     */
    @SuppressWarnings("unchecked")
    public List<Decision> plan(Exchange exchange) {
        CamelContext context = exchange.getContext();
        String prefix = SettingsDeclaration.value(context, "backup.prefix");
        ZoneId zone = ZoneId.of(SettingsDeclaration.value(context, "backup.timezone"));
        List<BackupKey> backups = new ArrayList<>();
        Map<String, String> notGood = new HashMap<>();
        for (BackupCatalog.Entry entry : (List<BackupCatalog.Entry>) exchange.getMessage().getBody(List.class)) {
            backups.add(entry.backup());
            if (entry.state() != BackupCatalog.State.GOOD) {
                notGood.put(entry.backup().key(), entry.state().label());
            }
        }
        RetentionPolicy policy = policy(context);
        // a backup still under its Object Lock is kept, LOCKED until its date
        List<Decision> plan = LockedBackups.hold(objectLock, policy.plan(backups, notGood, Instant.now(), zone));
        long locked = plan.stream().filter(decision -> decision.reason().startsWith(ObjectLock.LOCKED)).count();
        List<Decision> deletions = plan.stream().filter(decision -> !decision.keep()).toList();
        long databases = backups.stream().map(BackupKey::database).distinct().count();
        boolean dryRun = exchange.getProperty(DRY_RUN, false, Boolean.class);
        exchange.setProperty(PLAN, plan);
        exchange.setProperty(SUMMARY, String.format("retention (%s) of %d backup(s) of %d database(s) under prefix '%s': "
                + "%s %d%s, %s %d%s", policy.rules(), plan.size(), databases, prefix, dryRun ? "keep" : "kept",
                plan.size() - deletions.size(), locked == 0 ? "" : " (" + locked + " LOCKED)", dryRun ? "delete" : "deleted",
                deletions.size(),
                dryRun ? " (dry run: nothing deleted)" : ""));
        return deletions;
    }

    public void setObjectLock(ObjectLock objectLock) {
        this.objectLock = objectLock;
    }

    static RetentionPolicy policy(CamelContext context) {
        return new RetentionPolicy(rule(context, "retention.keep.last"),
                rule(context, "retention.keep.days"),
                rule(context, "retention.daily"),
                rule(context, "retention.weekly"),
                rule(context, "retention.monthly"));
    }

    /** A rule's setting (its range, 0 and more, checked at start by its declaration); empty is 0: the rule is off. */
    private static int rule(CamelContext context, String key) {
        String value = SettingsDeclaration.value(context, key);
        return value.isEmpty() ? 0 : Integer.parseInt(value);
    }
}
