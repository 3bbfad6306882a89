package io.pgbackup.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.pgbackup.report.RunReport;
import io.pgbackup.report.RunSummary;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The fail ping's reason names stages and kinds of failure from a fixed list, never the failure's own text. */
class HeartbeatReasonTest {

    static Exchange run(RunSummary.Outcome... outcomes) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(RunSummary.OUTCOMES, Collections.synchronizedList(new ArrayList<>(List.of(outcomes))));
        return exchange;
    }

    @Test
    void aDatabaseFailureGivesItsStageAndKindAndNoneOfItsText() {
        String reason = HeartbeatReason.of(run(new RunSummary.Outcome("shop", false,
                "dump: pg_dump exited with code 1: FATAL: password authentication failed for user \"shop_owner\"")));

        assertThat(reason).isEqualTo("backup failed: dump (authentication failed)");
    }

    @Test
    void severalDatabasesGiveTheCountAndEachDistinctStageAndKindOnce() {
        String reason = HeartbeatReason.of(run(
                new RunSummary.Outcome("a", true, "2026/01/01/a_20260101020000.sql.gz"),
                new RunSummary.Outcome("b", false, "dump: database \"b\" does not exist"),
                new RunSummary.Outcome("c", false, "dump: database \"c\" does not exist"),
                new RunSummary.Outcome("d", false, "upload: Unable to execute HTTP request: Connection refused")));

        assertThat(reason).isEqualTo("3 of 4 databases failed: dump (database does not exist); upload (could not connect)");
        assertThat(reason).doesNotContain("\"b\"").doesNotContain("HTTP request");
    }

    @Test
    void aFailureOfTheRunItselfIsReadFromTheRunsDeadLetter() {
        Exchange exchange = run();
        exchange.setProperty(RunReport.FAILED_STAGE, "list-databases");
        exchange.setProperty(RunProperties.FAILURE_CAUSE, "psql: connection to server failed: timeout expired");

        assertThat(HeartbeatReason.of(exchange)).isEqualTo("backup failed: list-databases (timed out)");
    }

    @Test
    void anUnknownCauseOrAStageThatIsNotAStageNameIsNotPassedOn() {
        assertThat(HeartbeatReason.describe("dump", "ERROR: COPY items (secret_column) row 'card 4111 1111'"))
                .isEqualTo("dump (see the pg-backup log)");
        assertThat(HeartbeatReason.describe("shop\"; DROP", "timeout")).isEqualTo("unknown stage (timed out)");
        assertThat(HeartbeatReason.of(run())).isEqualTo("backup failed: unknown stage (see the pg-backup log)");
    }
}
