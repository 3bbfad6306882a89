package io.pgbackup;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgbackup.dump.DumpStatistics;
import io.pgbackup.report.RunReport;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The logic of routes/backup.yaml (and the dead letter of failures.yaml) with the stages that need servers stubbed
 * (RoutesUnderTest): the order of the stages, what a warning, a failure, a failure after the object was stored, a
 * transient fault and one failing database of several each lead to. Seconds, not minutes: a change to a route's
 * logic is checked here first; the end-to-end tests prove the stages themselves against real servers.
 */
@Timeout(60)
class BackupRoutesTest {

    static final String[] STAGES = {"direct:refuse-existing-key", "direct:previous-backup", "direct:db-password",
        "direct:store-backup", "direct:verify-stored", "direct:write-manifest", "direct:notify",
        "direct:prune-after-backup", "direct:backup-warning", "direct:remove-failed-backup"};

    /** What a stored backup leaves on the exchange (the real store-backup sets these). */
    static void stored(Exchange exchange) throws IOException {
        exchange.setProperty("stage", "upload");
        exchange.setProperty("objectStored", true);
        DatabaseRun.of(exchange).setCompressedBytes(1234L);
        DatabaseRun.of(exchange).setRawBytes(5678L);
        DumpStatistics statistics = new DumpStatistics(new ByteArrayInputStream(
                "COPY public.t (id) FROM stdin;\n1\n\\.\n--\n-- PostgreSQL database dump complete\n--\n"
                        .getBytes(StandardCharsets.UTF_8)), true);
        statistics.readAllBytes();
        exchange.setProperty(io.pgbackup.dump.DumpFacts.PROPERTY, statistics);
    }

    static RoutesUnderTest stubbed(String... except) {
        RoutesUnderTest app = new RoutesUnderTest().advising("backup-database", "backup-stored", "backup-failed",
                "backup-warning", "alert");
        for (String stage : STAGES) {
            if (!List.of(except).contains(stage)) {
                app.stub(stage);
            }
        }
        return app;
    }

    @Test
    void aBackupRunsItsStagesInPipelineOrder() throws Exception {
        try (RoutesUnderTest app = stubbed().stub("direct:store-backup", BackupRoutesTest::stored)
                .start("backup")) {
            Exchange run = app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop")));

            assertThat(run.getException()).isNull();
            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("SUCCESS");
            assertThat(app.calls).containsExactly("direct:refuse-existing-key", "direct:previous-backup",
                    "direct:db-password", "direct:store-backup", "direct:verify-stored", "direct:write-manifest",
                    "direct:notify", "direct:prune-after-backup");
            assertThat(DatabaseRun.of(run).key()).matches("\\d{4}/\\d{2}/\\d{2}/shop_\\d{14}\\.sql\\.gz");
        }
    }

    @Test
    void aKeyTakenByAFireInTheSameSecondStoresNothing() throws Exception {
        try (RoutesUnderTest app = stubbed().stub("direct:refuse-existing-key", e -> e.setProperty("keyTaken", true))
                .start("backup")) {
            app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop")));

            assertThat(app.calls).containsExactly("direct:refuse-existing-key");
        }
    }

    @Test
    void aBackupThatShrankIsReportedAsAnAlertAndRetentionDoesNotRunAfterIt() throws Exception {
        List<String> notified = Collections.synchronizedList(new ArrayList<>());
        try (RoutesUnderTest app = stubbed("direct:backup-warning")
                .stub("direct:store-backup", BackupRoutesTest::stored)
                .stub("direct:write-manifest", e -> DatabaseRun.of(e).setWarning("the dump shrank by 80%"))
                .stub("direct:notify", e -> notified.add(e.getProperty(RunReport.OUTCOME, String.class) + ": "
                        + e.getProperty("alert", "", String.class)))
                .start("backup")) {
            Exchange run = app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop")));

            assertThat(app.calls).endsWith("direct:write-manifest", "direct:notify", "direct:notify")
                    .doesNotContain("direct:prune-after-backup");
            assertThat(notified).containsExactly("SUCCESS: ",
                    "ALERT: backup of shop is suspicious: the dump shrank by 80%");
            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("SUCCESS");
        }
    }

    @Test
    void aFailedStageGoesToTheDeadLetterAndNothingAfterItRuns() throws Exception {
        try (RoutesUnderTest app = stubbed().stub("direct:store-backup", e -> {
            e.setProperty("stage", "dump");
            throw new IOException("pg_dump: error: connection to server lost");
        }).start("backup")) {
            Exchange run = app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop")));

            assertThat(app.calls).containsExactly("direct:refuse-existing-key", "direct:previous-backup",
                    "direct:db-password", "direct:store-backup", "direct:notify");
            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("FAILED");
            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("dump");
            assertThat(run.getProperty(RunProperties.FAILURE_CAUSE, String.class)).contains("connection to server lost");
        }
    }

    /**
     * The stage of a failure is the route group it happened in (report/FailedStage): nobody sets it by hand. Here the
     * manifest stage's own step fails inside the real write-manifest route.
     */
    @Test
    void theFailedStageIsTheRouteGroupTheFailureHappenedIn() throws Exception {
        try (RoutesUnderTest app = stubbed("direct:write-manifest").advising("write-manifest")
                .stub("direct:store-backup", e -> {
                    stored(e);
                    e.removeProperty("stage");
                })
                .stubBean("manifestStep", e -> {
                    throw new IllegalStateException("the manifest cannot be made");
                }).start("backup")) {
            Exchange run = app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop"), "stage", "list-databases"));

            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("manifest");
            assertThat(run.getProperty(RunProperties.FAILURE_CAUSE, String.class)).contains("the manifest cannot be made");
            assertThat(app.calls).endsWith("direct:store-backup", "direct:verify-stored", "direct:remove-failed-backup",
                    "direct:notify");
        }
    }

    /** psql failing while it lists the databases (DB_NAME=*) is the listing's failure, not a restore's. */
    @Test
    void aFailedDatabaseListingIsReportedAsTheListingStage() throws Exception {
        try (RoutesUnderTest app = stubbed().set("db.name", "*").advising("backup", "list-databases")
                .stubBean("incompleteUploads", e -> { })
                .stub("direct:psql-query", e -> {
                    throw new io.pgbackup.exec.CommandFailedException("/usr/bin/psql", "exited with code 2",
                            "psql: error: connection to server failed: FATAL: password authentication failed", null);
                }).start("backup")) {
            Exchange run = app.send("direct:backup", Map.of());

            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("list-databases");
            assertThat(app.calls).containsExactly("direct:db-password", "direct:psql-query", "direct:notify");
        }
    }

    /** A stored object without a manifest would look like a backup: it is removed before the failure is told. */
    @Test
    void aFailureAfterTheObjectWasStoredRemovesIt() throws Exception {
        try (RoutesUnderTest app = stubbed().stub("direct:store-backup", BackupRoutesTest::stored)
                .stub("direct:write-manifest", e -> {
                    e.setProperty("stage", "manifest");
                    throw new IllegalStateException("manifest refused");
                }).start("backup")) {
            Exchange run = app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop")));

            assertThat(app.calls).endsWith("direct:write-manifest", "direct:remove-failed-backup", "direct:notify")
                    .doesNotContain("direct:prune-after-backup");
            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("manifest");
        }
    }

    @Test
    void aTransientFaultIsRetriedAndAPermanentOneIsNot() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (RoutesUnderTest app = stubbed().set("retry.max", "3").set("retry.delay.ms", "1")
                .stub("direct:store-backup", e -> {
                    if (attempts.incrementAndGet() < 3) {
                        throw new ConnectException("Connection refused");
                    }
                    stored(e);
                }).start("backup")) {
            Exchange run = app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop")));

            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("SUCCESS");
            assertThat(attempts).hasValue(3);
        }
        attempts.set(0);
        try (RoutesUnderTest app = stubbed().set("retry.max", "3").set("retry.delay.ms", "1")
                .stub("direct:store-backup", e -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("object already exists");
                }).start("backup")) {
            Exchange run = app.send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop")));

            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("FAILED");
            assertThat(attempts).hasValue(1);
        }
    }

    @Test
    void oneFailingDatabaseOfSeveralDoesNotStopTheOthersAndFailsTheRun() throws Exception {
        List<String> attempted = Collections.synchronizedList(new ArrayList<>());
        try (RoutesUnderTest app = stubbed().advising("backup").set("db.name", "alpha, beta,gamma")
                .stubBean("incompleteUploads", e -> e.setProperty("incompleteUploadsChecked", true))
                .stub("direct:store-backup", e -> {
                    String database = DatabaseRun.of(e).database();
                    attempted.add(database);
                    if (database.equals("beta")) {
                        e.setProperty("stage", "dump");
                        throw new IOException("pg_dump: error: permission denied for table secrets");
                    }
                    stored(e);
                }).start("backup")) {
            Exchange run = app.send("direct:backup", Map.of());

            assertThat(attempted).containsExactly("alpha", "beta", "gamma");
            assertThat(run.getProperty("incompleteUploadsChecked")).isEqualTo(true);
            assertThat(run.getProperty(RunReport.OUTCOME)).isEqualTo("FAILED");
            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("beta");
            assertThat(app.calls.stream().filter("direct:prune-after-backup"::equals)).hasSize(2);
        }
    }
}
