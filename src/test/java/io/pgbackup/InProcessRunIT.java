package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ITs run commands in-process (PgBackupProcess.run, no JVM start per command): what such a run ends with and
 * prints is what the shipped launcher's process ends with and prints. The same refused setting is the same line and
 * exit code both ways; the same backup logs the same lines (level and logger, in order) both ways, so a log line an
 * IT looks for is there in-process as it is from the launcher, and nothing of the test's own servers is.
 */
@Timeout(300)
class InProcessRunIT {

    static final String DB = "in_process_shop";
    /** A log line: time, level, [logger], message (the launcher's pattern and the tests' differ only in the time). */
    static final Pattern LOG_LINE = Pattern.compile("^[-0-9: .]+ (TRACE|DEBUG|INFO|WARN|ERROR) +\\[([^]]+)] ", Pattern.MULTILINE);

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres("in-process", "in_process_user", "in process pw");

    @BeforeAll
    static void database() throws Exception {
        SERVERS.postgres().createDatabase(DB);
        SERVERS.postgres().psql(DB, "CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 100);");
    }

    PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DB, prefix).timeoutSeconds(120);
    }

    @Test
    void aRefusedSettingIsTheSameLineAndExitCodeInProcessAndThroughTheLauncher() throws Exception {
        PgBackupProcess.Result inProcess = pgBackup("refused/").set("DB_PORT", "99999").run("backup");
        PgBackupProcess.Result launcher = pgBackup("refused/").set("DB_PORT", "99999").throughLauncher().run("backup");

        assertThat(inProcess.exitCode()).as(inProcess.toString()).isEqualTo(2).isEqualTo(launcher.exitCode());
        assertThat(inProcess.stderr()).as(inProcess.toString()).contains("DB_PORT").isEqualTo(launcher.stderr());
        assertThat(inProcess.stdout()).isEqualTo(launcher.stdout());
        assertThat(SERVERS.s3().keys("in-process")).as("nothing stored").noneMatch(key -> key.startsWith("refused/"));
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
