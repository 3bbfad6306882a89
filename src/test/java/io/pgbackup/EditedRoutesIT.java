package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headline promise of routes/README.md: a user changes the pipeline by editing the YAML in a routes folder
 * (ROUTES_DIR) and restarting, no rebuild. A copy of the project's routes/ with a step added to the backup route and
 * a notifier of the user's own (a new file, reached by one added line in notify.yaml, as the README says to add a
 * channel) runs the real backup: the edits are seen, whatever folder pg-backup is started from, and the backup still
 * works. A route file that is not YAML stops the run with one line naming the file.
 */
@Timeout(600)
class EditedRoutesIT {

    static final String BUCKET = "edited-routes-it";
    static final String DATABASE = "edited_routes_db";
    static final String ADDED_STEP = "EDITED-ROUTE-STEP backing up";
    static final String OWN_NOTIFIER = "OWN-NOTIFIER outcome";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "edited_routes_user", "edited pw");

    static PostgresServer postgres;
    static S3Server s3;

    @TempDir
    Path routes;

    @BeforeAll
    static void database() throws Exception {
        postgres.dropDatabase(DATABASE);
        postgres.createDatabase(DATABASE);
        postgres.psql(DATABASE, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 100) g");
    }

    /** The project's routes/ copied into the test's folder, with the user's edits. */
    @BeforeEach
    void editedCopyOfTheRoutes() throws IOException {
        try (Stream<Path> files = Files.list(PgBackupProcess.PROJECT.resolve("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        edit("backup.yaml", "        - to: direct:refuse-existing-key\n",
                "        - log: \"" + ADDED_STEP + " ${exchangeProperty.run.database}\"\n        - to: direct:refuse-existing-key\n");
        edit("notify.yaml", "              - to: direct:notify-email\n",
                "              - to: direct:notify-email\n              - to: direct:notify-mine\n");
        Files.writeString(routes.resolve("notify-mine.yaml"), """
                # a channel of the user's own
                - route:
                    id: notify-mine
                    routeConfigurationId: stage
                    from:
                      uri: direct:notify-mine
                      steps:
                        - log: "%s ${exchangeProperty.outcome} of ${exchangeProperty.run.database}"
                """.formatted(OWN_NOTIFIER), StandardCharsets.UTF_8);
    }

    private void edit(String file, String anchor, String replacement) throws IOException {
        Path path = routes.resolve(file);
        String text = Files.readString(path, StandardCharsets.UTF_8);
        assertThat(text).as(file + " has the line the edit follows").contains(anchor);
        Files.writeString(path, text.replaceFirst(java.util.regex.Pattern.quote(anchor),
                java.util.regex.Matcher.quoteReplacement(replacement)), StandardCharsets.UTF_8);
    }

    private PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DATABASE, prefix).set("ROUTES_DIR", routes.toString()).set("NOTIFY_ON", "always")
                .timeoutSeconds(240);
    }

    @Test
    void aStepAddedToTheBackupRouteAndAnOwnNotifierRunWithTheBackup() throws Exception {
        PgBackupProcess.Result backup = pgBackup("edited/").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backup.stderr()).as("the step added to backup.yaml").contains(ADDED_STEP + " " + DATABASE)
                .as("the user's own notifier, reached through notify.yaml").contains(OWN_NOTIFIER)
                .contains("stored: " + BUCKET + "/edited/");
        assertThat(storedBackups("edited/")).as("the backup still stored").hasSize(1);
    }

    /** From another working folder (no ./routes there): the edited folder is used, not the jar's routes. */
    @Test
    void theRoutesFolderSettingIsUsedWhateverTheWorkingFolder() throws Exception {
        PgBackupProcess.Result backup = pgBackup("elsewhere/").in(Path.of("/")).run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backup.stderr()).contains(ADDED_STEP + " " + DATABASE).contains(OWN_NOTIFIER);
        assertThat(storedBackups("elsewhere/")).hasSize(1);
    }

    /** A failed backup reaches the user's own notifier too (the dead letter notifies through notify.yaml). */
    @Test
    void aFailureReachesTheUsersOwnNotifier() throws Exception {
        PgBackupProcess.Result backup = pgBackup("failing/").set("DB_NAME", "edited_routes_no_such_db")
                .set("NOTIFY_ON", "failure").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isNotZero();
        assertThat(backup.stderr().lines()).as(backup.toString())
                .anyMatch(line -> line.contains(OWN_NOTIFIER) && line.contains("of edited_routes_no_such_db"));
        assertThat(storedBackups("failing/")).isEmpty();
    }

    /**
     * A route file that is not YAML: bad input, like a bad setting: one line naming the file (and where in it), exit 2,
     * nothing stored.
     */
    @Test
    void aBrokenRouteFileStopsTheRunWithOneLineNamingIt() throws Exception {
        Path broken = routes.resolve("backup.yaml");
        Files.writeString(broken, "- route:\n    id: [unclosed\n  steps: {\n", StandardCharsets.UTF_8);

        PgBackupProcess.Result backup = pgBackup("broken/").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(2);
        List<String> lines = backup.stderr().lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).as(backup.toString()).singleElement().asString().startsWith("pg-backup: ")
                .contains(broken.toAbsolutePath().toString()).contains("line 2");
        assertThat(storedBackups("broken/")).isEmpty();
    }

    private List<String> storedBackups(String prefix) throws Exception {
        return s3.objects(BUCKET).stream().map(o -> o.key())
                .filter(key -> key.startsWith(prefix) && key.endsWith(".sql.gz")).toList();
    }
}
