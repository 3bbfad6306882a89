package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A setting given in a --config file (PG_BACKUP_CONFIG) acts exactly as the same setting given in the environment,
 * also for the settings the app derives others from (VERIFY_CRON turns the scheduled test restore on,
 * RESTORE_TARGET_DB names the restore's target, BACKUP_WORK_DIR is the folder checked and used): before, these were
 * read from the environment only, so a file's value was checked but not used.
 */
@Timeout(300)
class ConfigFileIT {

    static final String BUCKET = "config-it";
    static final String PASSWORD = "config pw 'x' 비밀";
    static final String DATABASE = "config_shop";

    static PostgresServer postgres;
    static S3Server s3;
    static WebhookStandIn slack;

    @TempDir
    Path dir;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "config_user", PASSWORD).withSlack()
            .withDatabase(DATABASE, """
                    CREATE TABLE public.orders (id int PRIMARY KEY, note text);
                    INSERT INTO public.orders SELECT g, 'note ' || g FROM generate_series(1, 321) g;
                    """);

    /** Everything but the settings under test in the environment, as the other tests do. */
    PgBackupProcess pgBackup() {
        return new PgBackupProcess().setAll(Map.of(
                "DB_USER", "config_user",
                "DB_PASSWORD", PASSWORD,
                "DB_NAME", DATABASE,
                "BUCKET_NAME", BUCKET,
                "SLACK_WEBHOOK_URL", slack.url(),
                "PSQL_PATH", PostgresServer.BIN.resolve("psql").toString(),
                "RETRY_MAX", "0"))
                .setAll(postgres.clientSettings())
                .setAll(s3.clientSettings())
                .without("VERIFY_CRON").without("RESTORE_TARGET_DB").without("BACKUP_WORK_DIR");
    }

    /** The shipped application.properties with {@code extra} lines after it (a later line wins). */
    Path configWith(String extra) throws Exception {
        Path file = dir.resolve("pg-backup.properties");
        String shipped = Files.readString(PgBackupProcess.PROJECT.resolve("application.properties"), StandardCharsets.UTF_8);
        Files.writeString(file, shipped + "\n# the settings under test\n" + extra + "\n", StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void verifyCronAndRestoreTargetFromTheFileAreUsed() throws Exception {
        PgBackupProcess.Result backup = pgBackup().set("BACKUP_PREFIX", "file/").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        Path config = configWith("""
                backup.prefix = file/
                backup.cron = 0 0 3 1 1 ? 2099
                verify.cron = 0/3 * * * * ?
                restore.target.db = restored_from_file_setting
                """);
        int slackBefore = slack.texts().size();

        PgBackupProcess.Running service = pgBackup().launch("--config", config.toString());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline
                && slack.texts().stream().skip(slackBefore).noneMatch(t -> t.contains("VERIFIED"))) {
            Thread.sleep(250);
        }
        PgBackupProcess.Result stopped = service.stop();
        assertThat(slack.texts().stream().skip(slackBefore)).as("VERIFY_CRON from the file: " + stopped)
                .anyMatch(t -> t.contains("VERIFIED: " + DATABASE + " restores"));

        PgBackupProcess.Result restore = pgBackup().run("restore", "--config", config.toString());
        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.stdout()).contains("into database restored_from_file_setting: 1 tables, 321 rows");
        assertThat(postgres.psql("restored_from_file_setting", "SELECT count(*) FROM public.orders").strip())
                .isEqualTo("321");
    }

}
