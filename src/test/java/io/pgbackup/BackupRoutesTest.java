package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgbackup.dump.DumpStatistics;
import io.pgbackup.report.RunReport;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;
import io.pgbackup.storage.IncompleteUploads;

import org.apache.camel.Exchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The logic of routes/backup.yaml (and report.yaml's backup-stored, failures.yaml's dead letter) in the real app with
 * the stages that need servers advised away by route id: the order of the stages, what a warning, a failure, a
 * failure after the object was stored, a transient fault and one failing database of several each lead to. Seconds,
 * not minutes: a change to a route's logic is checked here first; the end-to-end tests prove the stages themselves
 * against real servers.
 */
class BackupRoutesTest extends AppRouteTest {

    /** The stages that need a server, by the route that calls them. */
    static final Map<String, List<String>> STAGES = Map.of(
            "backup-database", List.of("direct:refuse-existing-key", "direct:previous-backup", "direct:db-password",
                    "direct:store-backup", "direct:verify-stored", "direct:write-manifest"),
            "backup-stored", List.of("direct:notify", "direct:prune-after-backup", "direct:backup-warning"),
            "backup-failed", List.of("direct:remove-failed-backup", "direct:notify"),
            "alert", List.of("direct:notify"));

    /** What a stage does instead, by its URI (none: nothing); those named in {@link #real} are not stubbed. */
    final Map<String, Step> steps = new HashMap<>();
    final List<String> real = new ArrayList<>();
    /** A run over every database (direct:backup) cleans up the store's incomplete uploads first. */
    @ReplaceInRegistry
    final IncompleteUploads incompleteUploads = new IncompleteUploadsStandIn();

    BackupRoutesTest() {
        super("backup");
    }

    /** What a stored backup leaves on the exchange (the real store-backup sets these). */
    static void stored(Exchange exchange) throws IOException {
        exchange.setProperty("stage", "upload");
        DatabaseRun.of(exchange).stored().setObjectStored(true);
        DatabaseRun.of(exchange).setCompressedBytes(1234L);
        DatabaseRun.of(exchange).setRawBytes(5678L);
        DumpStatistics statistics = new DumpStatistics(new ByteArrayInputStream(
                "COPY public.t (id) FROM stdin;\n1\n\\.\n--\n-- PostgreSQL database dump complete\n--\n"
                        .getBytes(StandardCharsets.UTF_8)), true);
        statistics.readAllBytes();
        DatabaseRun.of(exchange).setDump(statistics);
    }

    /** Stubs every stage of {@link #STAGES} and of {@code more} (with {@link #steps}) but those in {@link #real}. */
    void stubStages(Map<String, List<String>> more) throws Exception {
        Map<String, List<String>> stages = new HashMap<>(STAGES);
        stages.putAll(more);
        stages.replaceAll((route, uris) -> uris.stream().filter(uri -> !real.contains(uri)).toList());
        stubAll(stages, steps);
    }

    Exchange backup(String database) throws Exception {
        stubStages(Map.of());
        return send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun(database)));
    }

    @Test
    void aBackupRunsItsStagesInPipelineOrder() throws Exception {
        steps.put("direct:store-backup", BackupRoutesTest::stored);

        Exchange run = backup("shop");

        assertThat(run.getException()).isNull();
        assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("SUCCESS");
        assertThat(calls).containsExactly("direct:refuse-existing-key", "direct:previous-backup",
                "direct:db-password", "direct:store-backup", "direct:verify-stored", "direct:write-manifest",
                "direct:notify", "direct:prune-after-backup");
        assertThat(DatabaseRun.of(run).key()).matches("\\d{4}/\\d{2}/\\d{2}/shop_\\d{14}\\.sql\\.gz");
    }

    @Test
    void aKeyTakenByAFireInTheSameSecondStoresNothing() throws Exception {
        steps.put("direct:refuse-existing-key", DatabaseRun::markKeyTaken);

        backup("shop");

        assertThat(calls).containsExactly("direct:refuse-existing-key");
    }

    @Test
    void aBackupThatShrankIsReportedAsAnAlertAndRetentionDoesNotRunAfterIt() throws Exception {
        List<String> notified = Collections.synchronizedList(new ArrayList<>());
        real.add("direct:backup-warning");
        steps.put("direct:store-backup", BackupRoutesTest::stored);
        steps.put("direct:write-manifest", e -> DatabaseRun.of(e).setWarning("the dump shrank by 80%"));
        steps.put("direct:notify", e -> notified.add(e.getProperty(RunProperties.OUTCOME, String.class) + ": "
                + e.getProperty("alert", "", String.class)));

        Exchange run = backup("shop");

        assertThat(calls).endsWith("direct:write-manifest", "direct:notify", "direct:notify")
                .doesNotContain("direct:prune-after-backup");
        assertThat(notified).containsExactly("SUCCESS: ",
                "ALERT: backup of shop is suspicious: the dump shrank by 80%");
        assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("SUCCESS");
    }

    @Test
    void aFailedStageGoesToTheDeadLetterAndNothingAfterItRuns() throws Exception {
        steps.put("direct:store-backup", e -> {
            e.setProperty("stage", "dump");
            throw new IOException("pg_dump: error: connection to server lost");
        });

        Exchange run = backup("shop");

        assertThat(calls).containsExactly("direct:refuse-existing-key", "direct:previous-backup",
                "direct:db-password", "direct:store-backup", "direct:notify");
        assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("FAILED");
        assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("dump");
        assertThat(run.getProperty(RunProperties.FAILURE_CAUSE, String.class)).contains("connection to server lost");
    }

    /** A stored object without a manifest would look like a backup: it is removed before the failure is told. */
    @Test
    void aFailureAfterTheObjectWasStoredRemovesIt() throws Exception {
        steps.put("direct:store-backup", BackupRoutesTest::stored);
        steps.put("direct:write-manifest", e -> {
            e.setProperty("stage", "manifest");
            throw new IllegalStateException("manifest refused");
        });

        Exchange run = backup("shop");

        assertThat(calls).endsWith("direct:write-manifest", "direct:remove-failed-backup", "direct:notify")
                .doesNotContain("direct:prune-after-backup");
        assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("manifest");
    }

    /**
     * The stage of a failure is the route group it happened in (report/FailedStage): nobody sets it by hand. Here the
     * real write-manifest route fails at its first step.
     */
    @Test
    void theFailedStageIsTheRouteGroupTheFailureHappenedIn() throws Exception {
        real.add("direct:write-manifest");
        steps.put("direct:store-backup", e -> {
            stored(e);
            e.removeProperty("stage");
        });
        advise("write-manifest", route -> route.weaveAddFirst()
                .throwException(new IllegalStateException("the manifest cannot be made")));
        stubStages(Map.of());

        Exchange run = send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun("shop"), "stage", "list-databases"));

        assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("manifest");
        assertThat(run.getProperty(RunProperties.FAILURE_CAUSE, String.class)).contains("the manifest cannot be made");
        assertThat(calls).endsWith("direct:store-backup", "direct:verify-stored", "direct:remove-failed-backup",
                "direct:notify");
    }

    @Nested
    @CamelMainTest(properties = {"retry.max=3", "retry.delay.ms=1"})
    class WithRetries {

        @Test
        void aTransientFaultIsRetried() throws Exception {
            AtomicInteger attempts = new AtomicInteger();
            steps.put("direct:store-backup", e -> {
                if (attempts.incrementAndGet() < 3) {
                    throw new ConnectException("Connection refused");
                }
                stored(e);
            });

            Exchange run = backup("shop");

            assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("SUCCESS");
            assertThat(attempts).hasValue(3);
        }

        @Test
        void aPermanentFaultIsNotRetried() throws Exception {
            AtomicInteger attempts = new AtomicInteger();
            steps.put("direct:store-backup", e -> {
                attempts.incrementAndGet();
                throw new IllegalStateException("object already exists");
            });

            Exchange run = backup("shop");

            assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("FAILED");
            assertThat(attempts).hasValue(1);
        }
    }

    /**
     * Stands in for routes/beans.yaml's incompleteUploads (the store's multipart uploads, cleaned up when a backup
     * run starts): nothing to clean; records that the run cleaned up first. Of the bean's own type, so the
     * registry's entry for that name and type is the one replaced.
     */
    static class IncompleteUploadsStandIn extends IncompleteUploads {
        @Override
        public void cleanUp(Exchange exchange) {
            exchange.setProperty("incompleteUploadsChecked", true);
        }
    }

    /** psql failing while it lists the databases (DB_NAME=*) is the listing's failure, not a restore's. */
    @Nested
    @CamelMainTest(properties = "db.name=*")
    class EveryDatabase {

        @Test
        void aFailedDatabaseListingIsReportedAsTheListingStage() throws Exception {
            steps.put("direct:psql-query", e -> {
                throw new io.pgbackup.exec.CommandFailedException("/usr/bin/psql", "exited with code 2",
                        "psql: error: connection to server failed: FATAL: password authentication failed", null);
            });
            stubStages(Map.of("each-database", List.of("direct:db-password"),
                    "list-databases", List.of("direct:psql-query")));

            Exchange run = send("direct:backup", Map.of());

            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("list-databases");
            assertThat(calls).containsExactly("direct:db-password", "direct:psql-query", "direct:notify");
        }
    }

    @Nested
    @CamelMainTest(properties = "db.name=alpha, beta,gamma")
    class SeveralDatabases {

        @Test
        void oneFailingDatabaseOfSeveralDoesNotStopTheOthersAndFailsTheRun() throws Exception {
            List<String> attempted = Collections.synchronizedList(new ArrayList<>());
            steps.put("direct:store-backup", e -> {
                String database = DatabaseRun.of(e).database();
                attempted.add(database);
                if (database.equals("beta")) {
                    e.setProperty("stage", "dump");
                    throw new IOException("pg_dump: error: permission denied for table secrets");
                }
                stored(e);
            });
            stubStages(Map.of());

            Exchange run = send("direct:backup", Map.of());

            assertThat(attempted).containsExactly("alpha", "beta", "gamma");
            assertThat(run.getProperty("incompleteUploadsChecked")).isEqualTo(true);
            assertThat(run.getProperty(RunProperties.OUTCOME)).isEqualTo("FAILED");
            assertThat(run.getProperty(RunReport.FAILED_STAGE)).isEqualTo("beta");
            assertThat(calls.stream().filter("direct:prune-after-backup"::equals)).hasSize(2);
        }
    }
}
