package io.pgbackup;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.Map;

import io.pgbackup.report.BackupStatus;
import io.pgbackup.report.RunReport;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The logic of routes/verify.yaml (and its dead letter, verify-failed in failures.yaml) with the stages that need
 * servers stubbed (RoutesUnderTest): a test restore that loads is VERIFIED and notified; one that fails still drops
 * its scratch database, is reported FAILED naming the stage, notified, and turns health DOWN until one passes.
 */
@Timeout(60)
class VerifyRoutesTest {

    static final String KEY = "2026/12/07/shop_20261207020000.sql.gz";

    private static RoutesUnderTest app(RoutesUnderTest.Step load) {
        return new RoutesUnderTest().set("notify.on", "always")
                .advising("verify-database", "test-restore", "verify-failed")
                .stub("direct:choose-backup", e -> DatabaseRun.of(e).setKey(KEY))
                .stub("direct:db-password").stub("direct:db-login").stub("direct:load-backup", load)
                .stub("direct:drop-fresh-database").stub("direct:notify");
    }

    private static BackupStatus status(RoutesUnderTest app) {
        return app.context().getRegistry().lookupByNameAndType("backupStatus", BackupStatus.class);
    }

    @Test
    void aTestRestoreThatLoadsIsVerifiedTheScratchDroppedAndNotified() throws Exception {
        try (RoutesUnderTest app = app(e -> DatabaseRun.of(e).setSummary("1 table, 3 rows, all as dumped"))
                .start("verify")) {
            Exchange run = app.send("direct:verify-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop"), "runKind", "verify"));

            assertThat(run.getException()).isNull();
            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("VERIFIED");
            assertThat(app.calls).containsExactly("direct:choose-backup", "direct:db-password", "direct:db-login",
                    "direct:load-backup", "direct:drop-fresh-database", "direct:notify");
            assertThat(status(app).state().health().up()).isTrue();
        }
    }

    @Test
    void aTestRestoreThatFailsDropsTheScratchIsReportedFailedAndHealthGoesDown() throws Exception {
        try (RoutesUnderTest app = app(e -> {
            throw new SQLException("relation \"t\" has 2 rows, the manifest says 3");
        }).start("verify")) {
            Exchange run = app.send("direct:verify-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop"), "runKind", "verify"));

            assertThat(app.calls).containsExactly("direct:choose-backup", "direct:db-password", "direct:db-login",
                    "direct:load-backup", "direct:drop-fresh-database", "direct:notify");
            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("FAILED");
            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("verify");
            assertThat(run.getProperty(RunProperties.FAILURE_CAUSE, String.class)).contains("manifest says 3");
            assertThat(status(app).state().health().up()).isFalse();
            assertThat(status(app).state().health().message()).contains("shop: last test restore failed");
        }
    }
}
