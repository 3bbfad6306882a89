package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.Map;

import io.pgbackup.report.RunReport;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

/**
 * The logic of routes/verify.yaml (and its dead letter, verify-failed in failures.yaml) in the real app with the
 * stages that need servers advised away by route id: a test restore that loads is VERIFIED and notified; one that
 * fails still drops its scratch database, is reported FAILED naming the stage, notified, and turns health DOWN.
 */
class VerifyRoutesTest extends AppRouteTest {

    static final String KEY = "2026/12/07/shop_20261207020000.sql.gz";

    VerifyRoutesTest() {
        super("verify", Map.of("notify.on", "always"));
    }

    private Exchange verify(Step load) throws Exception {
        stub("verify-database", "direct:choose-backup", e -> DatabaseRun.of(e).setKey(KEY));
        stub("verify-database", "direct:db-password", "direct:db-login", "direct:notify");
        stub("test-restore", "direct:load-backup", load);
        stub("test-restore", "direct:drop-fresh-database");
        stub("verify-failed", "direct:notify");
        return send("direct:verify-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop"), "runKind", "verify"));
    }

    private HealthCheck.Result health() {
        return bean("backupHealthCheck", HealthCheck.class).call();
    }

    @Test
    void aTestRestoreThatLoadsIsVerifiedTheScratchDroppedAndNotified() throws Exception {
        Exchange run = verify(e -> DatabaseRun.of(e).setSummary("1 table, 3 rows, all as dumped"));

        assertThat(run.getException()).isNull();
        assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("VERIFIED");
        assertThat(calls).containsExactly("direct:choose-backup", "direct:db-password", "direct:db-login",
                "direct:load-backup", "direct:drop-fresh-database", "direct:notify");
        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);
    }

    @Test
    void aTestRestoreThatFailsDropsTheScratchIsReportedFailedAndHealthGoesDown() throws Exception {
        Exchange run = verify(e -> {
            throw new SQLException("relation \"t\" has 2 rows, the manifest says 3");
        });

        assertThat(calls).containsExactly("direct:choose-backup", "direct:db-password", "direct:db-login",
                "direct:load-backup", "direct:drop-fresh-database", "direct:notify");
        assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("FAILED");
        assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("verify");
        assertThat(run.getProperty(RunProperties.FAILURE_CAUSE, String.class)).contains("manifest says 3");
        assertThat(mock("direct:notify").getReceivedExchanges()).singleElement()
                .satisfies(told -> assertThat(told.getProperty(RunProperties.OUTCOME)).isEqualTo("FAILED"));
        assertThat(health().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(health().getMessage()).hasValueSatisfying(
                message -> assertThat(message).contains("shop: last test restore failed"));
    }
}
