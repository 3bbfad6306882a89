package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.pgbackup.support.InProcessPgBackup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore, a test restore or any command whose options, settings file or routes folder cannot work stops at start
 * with one line (exit 2), before anything connects: proven in this JVM ({@link InProcessPgBackup}), where the database
 * and the store are a loopback port that counts connections, none allowed. These cases went through the launcher
 * before (RestoreIT, RestoreToAnotherServerIT, CustomFormatIT, ConfigFileIT, BackupRestoreIT); RestoreIT keeps a bad
 * --target-db through the real process.
 */
@Timeout(120)
class StartRefusedBeforeAnyConnectionTest {

    static final String PASSWORD = "source pw 'x' 비밀";

    private InProcessPgBackup app;

    @TempDir
    Path dir;

    private InProcessPgBackup app() throws Exception {
        app = new InProcessPgBackup();
        return app.set("DB_PASSWORD", PASSWORD);
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    /** Was part of RestoreIT#badInputIsOneLineAndChangesNothing. */
    @Test
    void aRestoreOfSeveralDatabasesAsksWhichOne() throws Exception {
        InProcessPgBackup.Result several = app().set("DB_NAME", "bad_src,other").run("restore", "--target-db", "bad_t");

        assertThat(several.exitCode()).as(several.toString()).isEqualTo(2);
        assertThat(several.stderr()).contains("DB_NAME").contains("--database");
        assertThat(app.connections()).as("connections to the database or store").isZero();
    }

    /** Was part of RestoreIT#badInputIsOneLineAndChangesNothing (CommandLineChecksTest has them without --target-db). */
    @Test
    void aRestoreWithKeyAndBeforeOrABadTimeIsRefused() throws Exception {
        InProcessPgBackup.Result both = app().run("restore", "--target-db", "bad_t", "--key", "k", "--before",
                "2026-01-01 00:00");
        assertThat(both.exitCode()).as(both.toString()).isEqualTo(2);

        InProcessPgBackup.Result badTime = app.run("restore", "--target-db", "bad_t", "--before", "yesterday");
        assertThat(badTime.exitCode()).as(badTime.toString()).isEqualTo(2);
        assertThat(badTime.stderr()).contains("--before");
        assertThat(app.connections()).as("connections to the database or store").isZero();
    }

    /** Was part of CustomFormatIT#badInputIsOneLineAndChangesNothing. */
    @Test
    void cleanWithoutIntoExistingIsRefused() throws Exception {
        InProcessPgBackup.Result cleanAlone = app().run("restore", "--target-db", "x", "--clean");

        assertThat(cleanAlone.exitCode()).as(cleanAlone.toString()).isEqualTo(2);
        assertThat(cleanAlone.stderr()).contains("--clean replaces tables in an existing database");
        assertThat(app.connections()).as("connections to the database or store").isZero();
    }

    /**
     * Was RestoreToAnotherServerIT#anotherServerWithoutItsOwnPasswordIsRefusedBeforeAnythingConnects: the source's
     * password is never offered to another server (nothing connects to it at all), and nothing is made on the source.
     */
    @Test
    void anotherServerWithoutItsOwnPasswordIsRefusedBeforeAnythingConnects() throws Exception {
        try (InProcessPgBackup other = new InProcessPgBackup()) {
            InProcessPgBackup.Result restore = app().set("RESTORE_DB_HOST", "127.0.0.1")
                    .set("RESTORE_DB_PORT", Integer.toString(other.port()))
                    .run("restore", "--target-db", "shop_elsewhere", "--no-owner", "--no-privileges");

            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(2);
            assertThat(restore.stderr()).contains("RESTORE_DB_PASSWORD").contains("another server");
            assertThat(other.connections()).as("connections to the other server").isZero();
            assertThat(app.connections()).as("connections to the source database or store").isZero();
            assertThat(restore.all()).doesNotContain(PASSWORD);
        }
    }

    /** Was RestoreToAnotherServerIT#aTestRestoreOnAnotherServerWithoutItsOwnPasswordIsRefusedBeforeAnythingConnects. */
    @Test
    void aTestRestoreOnAnotherServerWithoutItsOwnPasswordIsRefusedBeforeAnythingConnects() throws Exception {
        try (InProcessPgBackup other = new InProcessPgBackup()) {
            InProcessPgBackup.Result verify = app().set("VERIFY_DB_HOST", "127.0.0.1")
                    .set("VERIFY_DB_PORT", Integer.toString(other.port())).run("verify");

            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(2);
            assertThat(verify.stderr()).contains("VERIFY_DB_PASSWORD").contains("another server");
            assertThat(other.connections()).as("connections to the other server").isZero();
            assertThat(app.connections()).as("connections to the source database or store").isZero();
        }
    }

    /** The shipped application.properties with {@code extra} lines after it (a later line wins), as ConfigFileIT. */
    private Path configWith(String extra) throws Exception {
        Path file = dir.resolve("pg-backup.properties");
        String shipped = Files.readString(Path.of("application.properties"), StandardCharsets.UTF_8);
        Files.writeString(file, shipped + "\n# the settings under test\n" + extra + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** Was ConfigFileIT#theWorkDirOfTheFileIsTheOneChecked: a --config file's BACKUP_WORK_DIR is the one checked. */
    @Test
    void theWorkDirOfTheConfigFileIsTheOneChecked() throws Exception {
        Path missing = dir.resolve("no-such-folder");
        Path config = configWith("backup.work.dir = " + missing);

        InProcessPgBackup.Result run = app().run("backup", "--config", config.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr()).contains("BACKUP_WORK_DIR").contains(missing.toString());
        assertThat(app.connections()).as("connections to the database or store").isZero();
    }

    /** Was ConfigFileIT#aTargetGivenNowhereIsAUsageError. */
    @Test
    void aRestoreTargetGivenNowhereIsAUsageError() throws Exception {
        InProcessPgBackup.Result run = app().run("restore", "--config", configWith("").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr()).contains("restore needs a target database: --target-db NAME (or RESTORE_TARGET_DB)");
        assertThat(app.connections()).as("connections to the database or store").isZero();
    }

    /** Was BackupRestoreIT#aMissingRoutesFolderIsNamed. */
    @Test
    void aMissingRoutesFolderIsNamed() throws Exception {
        InProcessPgBackup.Result list = app().env("ROUTES_DIR", "/nonexistent/routes").run("list");

        assertThat(list.exitCode()).as(list.toString()).isEqualTo(2);
        assertThat(list.stderr()).contains("ROUTES_DIR").contains("/nonexistent/routes");
        assertThat(app.connections()).as("connections to the store").isZero();
    }
}
