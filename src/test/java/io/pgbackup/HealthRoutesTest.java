package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;

import io.pgbackup.run.DatabaseRun;

import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What /observe/health says (the backupHealthCheck bean of routes/beans.yaml, fed by report.yaml's backup-stored and
 * failures.yaml's backup-failed) after the real backup routes ran, the stages that need servers advised away by route
 * id: DOWN after a failed backup, naming the database and the stage; UP again after a good one.
 */
class HealthRoutesTest extends AppRouteTest {

    /** What the store stage of the next backup does. */
    Step store;

    HealthRoutesTest() {
        super("backup", Map.of("db.name", "shop, crm"));
    }

    @BeforeEach
    void stubTheStagesThatNeedServers() throws Exception {
        stubAll(BackupRoutesTest.STAGES, Map.of("direct:store-backup", exchange -> store.run(exchange)));
    }

    private void backup(String database, Step store) {
        calls.clear();
        this.store = store;
        send("direct:backup-database", Map.of(DatabaseRun.PROPERTY, new DatabaseRun(database)));
        assertThat(calls).as("the backup ran up to its store stage").contains("direct:store-backup");
    }

    private static void failsAtDump(org.apache.camel.Exchange exchange) throws IOException {
        exchange.setProperty("stage", "dump");
        throw new IOException("pg_dump: error: connection to server lost");
    }

    private HealthCheck.Result health() {
        return bean("backupHealthCheck", HealthCheck.class).call();
    }

    private String message() {
        return health().getMessage().orElse("");
    }

    @Test
    void healthIsUpAfterGoodBackupsOfEveryDatabaseAndShowsWhenEachWasMade() throws Exception {
        backup("shop", BackupRoutesTest::stored);
        backup("crm", BackupRoutesTest::stored);

        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(message()).contains("2 database(s) backed up");
        assertThat(health().getDetails()).doesNotContainEntry("shop.last.good.backup", "none")
                .doesNotContainEntry("crm.last.good.backup", "none").containsKeys("shop.last.good.backup",
                        "crm.last.good.backup");
    }

    @Test
    void aFailedBackupTurnsHealthDownNamingTheDatabaseAndTheStage() throws Exception {
        backup("crm", BackupRoutesTest::stored);
        backup("shop", HealthRoutesTest::failsAtDump);

        assertThat(health().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(message()).contains("shop: last backup failed (stage dump")
                .doesNotContain("crm:");
    }

    @Test
    void aGoodBackupAfterAFailedOneTurnsHealthUpAgain() throws Exception {
        backup("crm", BackupRoutesTest::stored);
        backup("shop", HealthRoutesTest::failsAtDump);
        assertThat(health().getState()).isEqualTo(HealthCheck.State.DOWN);

        backup("shop", BackupRoutesTest::stored);

        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(message()).doesNotContain("failed");
    }
}
