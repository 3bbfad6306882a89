package io.pgbackup.heartbeat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import io.pgbackup.report.RunReport;
import io.pgbackup.report.RunSummary;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;

/**
 * Why a backup run failed, for the fail ping: the stage of each failure and a kind from a fixed list, never the
 * failure's own text. That text can hold what must not leave the host for a monitoring service: a server's message
 * quoting SQL or row values, a role or database name, a key. Example: {@code 1 of 3 databases failed: dump (database
 * does not exist)}. The full cause is in the log line and the notifications, as before.
 */
public final class HeartbeatReason {

    /** Kinds of failure, first match wins; each pattern is read on the lower-cased cause. */
    private static final List<Kind> KINDS = List.of(
            new Kind("password authentication failed|no pg_hba\\.conf entry|authentication failed|invalid password",
                    "authentication failed"),
            new Kind("database \"[^\"]*\" does not exist", "database does not exist"),
            new Kind("nosuchbucket|bucket does not exist", "bucket does not exist"),
            new Kind("permission denied|access ?denied|forbidden|must be owner|signaturedoesnotmatch"
                    + "|invalidaccesskeyid", "permission denied"),
            new Kind("timed out|timeout", "timed out"),
            new Kind("connection refused|could not connect|no route to host|network is unreachable"
                    + "|could not translate host name|unknownhost|connection reset|server closed the connection",
                    "could not connect"),
            new Kind("no space left|disk full|out of memory|java heap space", "out of space or memory"),
            new Kind("already exists", "object already exists"));

    /** Stage names are route groups and run steps: a word with dashes; anything else is not passed on. */
    private static final Pattern STAGE = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    private record Kind(Pattern pattern, String label) {
        Kind(String regex, String label) {
            this(Pattern.compile(regex), label);
        }
    }

    private HeartbeatReason() {
    }

    /**
     * The reason of the run on {@code exchange}: from every database's outcome (RunSummary), else from the run's own
     * failure (the dead letter of the backup route: listing the databases, the start).
     */
    public static String of(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<RunSummary.Outcome> outcomes = exchange.getProperty(RunSummary.OUTCOMES, List.class);
        Set<String> failures = new LinkedHashSet<>();
        int failed = 0;
        if (outcomes != null) {
            synchronized (outcomes) {
                for (RunSummary.Outcome outcome : outcomes) {
                    if (!outcome.stored()) {
                        failed++;
                        // RunSummary writes a failure's detail as "STAGE: CAUSE"
                        String detail = String.valueOf(outcome.detail());
                        int colon = detail.indexOf(": ");
                        failures.add(describe(colon < 0 ? "" : detail.substring(0, colon),
                                colon < 0 ? detail : detail.substring(colon + 2)));
                    }
                }
            }
        }
        if (failed == 0) {
            String stage = exchange.getProperty(RunReport.FAILED_STAGE, "", String.class);
            String cause = exchange.getProperty(RunProperties.FAILURE_CAUSE, "", String.class);
            return "backup failed: " + describe(stage, cause);
        }
        String which = outcomes.size() == 1 ? "backup failed: " : failed + " of " + outcomes.size() + " databases failed: ";
        return which + String.join("; ", failures);
    }

    /** {@code stage (kind)}, e.g. {@code dump (authentication failed)}. */
    static String describe(String stage, String cause) {
        String shownStage = STAGE.matcher(stage.strip()).matches() ? stage.strip() : "unknown stage";
        return shownStage + " (" + kind(cause) + ")";
    }

    /** The kind of a failure from its cause text, from the fixed list; the text itself is never returned. */
    static String kind(String cause) {
        String lower = String.valueOf(cause).toLowerCase(Locale.ROOT);
        for (Kind kind : KINDS) {
            if (kind.pattern().matcher(lower).find()) {
                return kind.label();
            }
        }
        return "see the pg-backup log";
    }
}
