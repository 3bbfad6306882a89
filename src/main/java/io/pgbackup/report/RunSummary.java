package io.pgbackup.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcome of a run over several databases: each database's backup records its outcome (stored or failed,
 * with stage and cause) into a list the run shares; at the end one line lists them all, and the run is FAILED
 * (exit code 1) when any database failed. Each database's failure was already logged and notified on its own.
 */
public class RunSummary {

    public static final String OUTCOMES = "runOutcomes";

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup");

    public record Outcome(String database, boolean stored, String detail) {
        @Override
        public String toString() {
            return database + (stored ? " ok" : " FAILED (" + detail + ")");
        }
    }

    public void start(Exchange exchange) {
        exchange.setProperty(OUTCOMES, Collections.synchronizedList(new ArrayList<Outcome>()));
    }

    /** Called for each database: after its backup was stored, or by the dead-letter route when it failed. */
    public void record(Exchange exchange) {
        List<Outcome> outcomes = outcomes(exchange);
        if (outcomes == null) {
            return;
        }
        String database = DatabaseRun.databaseOr(exchange, "?");
        if ("FAILED".equals(exchange.getProperty(RunProperties.OUTCOME))) {
            outcomes.add(new Outcome(database, false, exchange.getProperty(RunReport.FAILED_STAGE) + ": "
                    + exchange.getProperty(RunProperties.FAILURE_CAUSE)));
        } else {
            outcomes.add(new Outcome(database, true, DatabaseRun.of(exchange).keyOr("")));
        }
    }

    /** One summary line when the run covered several databases; the run fails when any database failed. */
    public void finish(Exchange exchange) {
        List<Outcome> outcomes = outcomes(exchange);
        if (outcomes == null) {
            return;
        }
        List<Outcome> failed = outcomes.stream().filter(o -> !o.stored()).toList();
        if (outcomes.size() > 1) {
            String line = "run over " + outcomes.size() + " databases: " + (outcomes.size() - failed.size())
                    + " ok, " + failed.size() + " failed: "
                    + outcomes.stream().map(Outcome::toString).collect(Collectors.joining("; "));
            if (failed.isEmpty()) {
                LOG.info(line);
            } else {
                LOG.error(line);
            }
        }
        if (!failed.isEmpty()) {
            exchange.setProperty(RunProperties.OUTCOME, "FAILED");
            exchange.setProperty(RunReport.FAILED_STAGE, failed.size() == 1 ? failed.get(0).database()
                    : failed.size() + " databases");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Outcome> outcomes(Exchange exchange) {
        return exchange.getProperty(OUTCOMES, List.class);
    }
}
