package io.pgbackup;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import io.pgbackup.report.RunReport;
import io.pgbackup.retention.Pruning;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.IncompleteUploads;

import org.apache.camel.Exchange;

/** What the one-shot commands print on stdout when they went well, and the exit code that goes with it. */
final class CommandOutput {

    private final PrintStream out;

    CommandOutput(PrintStream out) {
        this.out = out;
    }

    /** check-managed: the managed backup's summary, the action taken; exit 1 when it is stale. */
    int managedCheck(Exchange exchange) {
        out.println(exchange.getProperty("managedBackupSummary"));
        Object action = exchange.getProperty(RunReport.ALERT_ACTION);
        if (action != null) {
            out.println("action: " + action);
        }
        return Boolean.TRUE.equals(exchange.getProperty("managedBackupStale", Boolean.class)) ? PgBackup.FAILED : PgBackup.OK;
    }

    /**
     * One line a backup (oldest first): key, size, time stored, and its state (good, shrunk, unchecked, unreadable;
     * unsigned, bad-signature, future), with why when it is not good.
     */
    int list(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<BackupCatalog.Entry> entries = exchange.getMessage().getBody(List.class);
        out.printf("%-70s %14s  %-24s  %s%n", "KEY", "SIZE", "LAST MODIFIED", "STATE");
        Map<BackupCatalog.State, Integer> counts = new java.util.EnumMap<>(BackupCatalog.State.class);
        for (BackupCatalog.Entry entry : entries) {
            String state = entry.state().label() + (entry.state() == BackupCatalog.State.GOOD ? "" : " (" + entry.note() + ")");
            out.printf("%-70s %14d  %-24s  %s%n", entry.object().key(), entry.object().size(), entry.object().lastModified(),
                    state);
            counts.merge(entry.state(), 1, Integer::sum);
        }
        StringBuilder summary = new StringBuilder(entries.size() + " backup(s)");
        String separator = ": ";
        for (Map.Entry<BackupCatalog.State, Integer> count : counts.entrySet()) {
            summary.append(separator).append(count.getValue()).append(' ').append(count.getKey().label());
            separator = ", ";
        }
        out.println(summary);
        return PgBackup.OK;
    }

    /** One line a backup: KEEP or DELETE, key, reason (tab-separated: keys may hold spaces); then the summary. */
    int prunePlan(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<RetentionPolicy.Decision> plan = exchange.getProperty(Pruning.PLAN, List.class);
        for (RetentionPolicy.Decision decision : plan) {
            out.println(decision.action() + "\t" + decision.key() + "\t" + decision.reason());
        }
        @SuppressWarnings("unchecked")
        List<IncompleteUploads.Stale> stale = exchange.getProperty(IncompleteUploads.FOUND, List.class);
        if (stale != null) {
            stale.forEach(upload -> out.println(upload.line()));
        }
        out.println(exchange.getProperty(Pruning.SUMMARY));
        return PgBackup.OK;
    }

    /** restore of a database: what was restored into which database, its checks, and the restore's note if any. */
    int restored(Exchange exchange, String target) {
        out.println("restored " + DatabaseRun.of(exchange).key() + " into database " + target
                + ": " + DatabaseRun.of(exchange).summary());
        String note = DatabaseRun.of(exchange).noteOr("");
        if (!note.isEmpty()) {
            out.println(note);
        }
        return PgBackup.OK;
    }

    /** restore of the roles backup (@globals). */
    int restoredGlobals(Exchange exchange) {
        out.println("restored " + DatabaseRun.of(exchange).key() + " onto the server: "
                + DatabaseRun.of(exchange).summary());
        return PgBackup.OK;
    }
}
