package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ITs run commands in-process (PgBackupProcess.run, no JVM start per command): what such a run ends with and
 * prints is what the shipped launcher's process ends with and prints. The same refused setting is the same line and
 * exit code both ways; the same backup logs the same lines (level and logger, in order) both ways, so a log line an
 * IT looks for is there in-process as it is from the launcher, and nothing of the test's own servers is.
 */
@Timeout(300)
class InProcessRunIT {

    static final String BUCKET = "in-process";
    static final String PASSWORD = "in process pw";
    static final String DB = "in_process_shop";
    /** A log line: time, level, [logger], message (the launcher's pattern and the tests' differ only in the time). */
    static final Pattern LOG_LINE = Pattern.compile("^[-0-9: .]+ (TRACE|DEBUG|INFO|WARN|ERROR) +\\[([^]]+)] ", Pattern.MULTILINE);

    static PostgresServer postgres;
    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.shared();
        s3 = new S3Server();
        s3.createBucket(BUCKET);
        postgres.createRole("in_process_user", PASSWORD);
        postgres.createDatabase(DB);
        postgres.psql(DB, "CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 100);");
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    PgBackupProcess pgBackup(String prefix) {
        return new PgBackupProcess().timeoutSeconds(120).setAll(Map.of("DB_USER", "in_process_user",
                "DB_PASSWORD", PASSWORD, "DB_NAME", DB, "BUCKET_NAME", BUCKET, "BACKUP_PREFIX", prefix,
                "RETRY_MAX", "0")).setAll(postgres.clientSettings()).setAll(s3.clientSettings());
    }

    @Test
    void aRefusedSettingIsTheSameLineAndExitCodeInProcessAndThroughTheLauncher() throws Exception {
        PgBackupProcess.Result inProcess = pgBackup("refused/").set("DB_PORT", "99999").run("backup");
        PgBackupProcess.Result launcher = pgBackup("refused/").set("DB_PORT", "99999").throughLauncher().run("backup");

        assertThat(inProcess.exitCode()).as(inProcess.toString()).isEqualTo(2).isEqualTo(launcher.exitCode());
        assertThat(inProcess.stderr()).as(inProcess.toString()).contains("DB_PORT").isEqualTo(launcher.stderr());
        assertThat(inProcess.stdout()).isEqualTo(launcher.stdout());
        assertThat(s3.keys(BUCKET)).as("nothing stored").noneMatch(key -> key.startsWith("refused/"));
    }

    @Test
    void aBackupLogsTheSameLinesInProcessAsThroughTheLauncher() throws Exception {
        PgBackupProcess.Result inProcess = pgBackup("in-process/").run("backup");
        PgBackupProcess.Result launcher = pgBackup("launcher/").throughLauncher().run("backup");

        assertThat(inProcess.exitCode()).as(inProcess.toString()).isZero();
        assertThat(launcher.exitCode()).as(launcher.toString()).isZero();
        assertThat(logLines(inProcess.stderr())).as(inProcess + "\n=== through the launcher\n" + launcher)
                .contains("INFO [backup-stored]").isEqualTo(logLines(launcher.stderr()));
        assertThat(inProcess.stdout()).isEqualTo(launcher.stdout());
    }

    /** Each log line's level and logger, in order. */
    static List<String> logLines(String stderr) {
        Matcher line = LOG_LINE.matcher(stderr);
        List<String> lines = new java.util.ArrayList<>();
        while (line.find()) {
            lines.add(line.group(1) + " [" + line.group(2) + "]");
        }
        return lines;
    }
}
