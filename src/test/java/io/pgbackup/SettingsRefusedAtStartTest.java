package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.pgbackup.support.HeartbeatStandIn;
import io.pgbackup.support.InProcessPgBackup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad setting stops every command at start with one line naming it (exit 2), before anything is dumped, stored or
 * pinged: proven in this JVM ({@link InProcessPgBackup}), where every server the app could reach is one loopback port
 * that counts connections, none allowed. These cases went through the launcher before (FailuresIT, HeartbeatIT,
 * RetentionIT, ObjectLockIT, SecondDestinationIT, SeveralDatabasesIT, DataStaysDataIT); FailuresIT keeps a bad setting
 * and a secret one through the real process.
 */
@Timeout(120)
class SettingsRefusedAtStartTest {

    static final String PASSWORD = "in-process pw 'x' 비밀";

    private InProcessPgBackup app;

    private InProcessPgBackup app() throws Exception {
        app = new InProcessPgBackup();
        return app;
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    /** Exit 2, exactly one line holding {@code named} (the one starting with "pg-backup: invalid setting NAMED"). */
    private void assertOneLineNaming(InProcessPgBackup.Result run, String named) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        List<String> lines = run.stderr().lines().filter(l -> l.contains(named)).toList();
        assertThat(lines).as(run.toString()).hasSize(1);
        assertThat(lines.get(0)).startsWith("pg-backup: invalid setting " + named);
        assertThat(run.all()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(app.connections()).as("connections to the database, store or Secret Manager").isZero();
    }

    /**
     * Was FailuresIT#invalidSettingsStopTheAppWithOneLineNamingTheSetting (it keeps BACKUP_CRON 'every day') and
     * RetentionIT#aBadRuleStopsTheAppWithOneLineNamingIt (with the problem word for word).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "BACKUP_CRON|0 0 25 * * ?|backup service|",
        "BACKUP_CRON|every day|backup service|",
        "DB_NAME||backup service|",
        "BUCKET_NAME||backup service|",
        "OBJECT_STORAGE_ENDPOINT|kr.object.ncloudstorage.com|backup service|",
        "SECRET_MANAGER_URL|http//broken|backup service|",
        "BACKUP_TIMEZONE|Asia/Busan|backup service|",
        "SLACK_WEBHOOK_URL|hooks.slack.com/x|backup service|",
        "NOTIFY_ON|sometimes|backup service|",
        "RETENTION_KEEP_LAST|-1|prune backup|-1 is outside 0..1000000",
        "RETENTION_WEEKLY|two|prune backup|'two' is not a whole number",
        "RETENTION_MONTHLY|1.5|prune backup|'1.5' is not a whole number",
    })
    void invalidSettingsStopEachCommandWithOneLineNamingTheSetting(String variable, String value, String commands,
            String problem) throws Exception {
        app().set(variable, value);

        for (String command : commands.split(" ")) {
            InProcessPgBackup.Result run = app.run(command);

            assertOneLineNaming(run, variable);
            if (problem != null) {
                assertThat(run.stderr().lines().filter(l -> l.contains(variable))).as(run.toString())
                        .containsExactly("pg-backup: invalid setting " + variable + ": " + problem);
            }
        }
    }

    /** Was FailuresIT#aBadSettingIsOneLineNamingItAndNeverItsSecret (it keeps the Slack webhook row). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "backup|SLACK_WEBHOOK_URL|hooks.slack.com/services/T0/B0/tokenSECRETtoken|tokenSECRETtoken",
        "service|SCHEDULER_JDBC_URL|postgresql://sched:jdbcSECRETpw@127.0.0.1/q|jdbcSECRETpw",
        "service|SCHEDULER_JDBC_URL|jdbc:mysql://127.0.0.1/q?password=jdbcSECRETpw|jdbcSECRETpw",
        "list|NOTIFY_TIMEOUT_MS|ten|",
        "backup|NOTIFY_TIMEOUT_MS|0|",
        "list|DUMP_TIMEOUT_MS|-5|",
        "restore|RESTORE_TIMEOUT_MS|0|",
        "backup|SECRET_MANAGER_TIMEOUT_MS|forever|",
        "backup|DB_CONNECT_TIMEOUT_SECONDS|0|",
        "backup|MAIL_SMTP_STARTTLS|yes|",
        "backup|DB_SSLMODE|sometimes|",
        "backup|DB_SSLROOTCERT|/nonexistent/root.crt|",
        "backup|PG_DUMP_PATH|/nonexistent/pg_dump|",
        "verify|PSQL_PATH|no-such-psql|",
    })
    void aBadSettingIsOneLineNamingItAndNeverItsSecret(String command, String variable, String value, String secret)
            throws Exception {
        InProcessPgBackup.Result run = app().set(variable, value).set("DB_PASSWORD", PASSWORD)
                .run(command.equals("restore") ? new String[] {"restore", "--target-db", "never_made"} : new String[] {command});

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        List<String> lines = run.stderr().lines().filter(l -> l.contains("invalid setting")).toList();
        assertThat(lines).as(run.toString()).singleElement().asString().startsWith("pg-backup: invalid setting " + variable);
        assertThat(run.all()).doesNotContain(PASSWORD);
        if (secret != null) {
            assertThat(run.all()).doesNotContain(secret);
        }
        assertThat(app.connections()).as("connections to the database, store or Secret Manager").isZero();
    }

    /** Was HeartbeatIT#aBadHeartbeatSettingStopsTheAppWithOneLineNamingIt: no ping, nothing stored, no URL secret. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HEARTBEAT_URL|127.0.0.1/ping/" + HeartbeatStandIn.CHECK_UUID,
        "HEARTBEAT_URL|ftp://127.0.0.1/ping/" + HeartbeatStandIn.CHECK_UUID,
        "HEARTBEAT_STYLE|nagios",
        "HEARTBEAT_TIMEOUT_SECONDS|0",
        "HEARTBEAT_RETRIES|ten",
    })
    void aBadHeartbeatSettingStopsTheAppWithOneLineNamingIt(String variable, String value) throws Exception {
        InProcessPgBackup.Result run = app().set("HEARTBEAT_URL", app.url("/ping/" + HeartbeatStandIn.CHECK_UUID))
                .set(variable, value).run("backup");

        assertOneLineNaming(run, variable);
        assertThat(run.all()).doesNotContain(HeartbeatStandIn.CHECK_UUID).doesNotContain(HeartbeatStandIn.PUSH_TOKEN);
    }

    /** Was ObjectLockIT#aBadSettingStopsTheAppWithOneLineNamingIt. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "OBJECT_LOCK_DAYS|GOVERNANCE||is not set: OBJECT_LOCK_MODE=GOVERNANCE needs the number of days",
        "OBJECT_LOCK_MODE||30|is not set, but OBJECT_LOCK_DAYS is",
        "OBJECT_LOCK_MODE|governance|30|'governance' is not one of [COMPLIANCE, GOVERNANCE]",
        "OBJECT_LOCK_DAYS|COMPLIANCE|0|0 is outside 1..36500",
        "UPLOAD_STORAGE_CLASS|||'deep archive' is not an upper-case word",
    })
    void aBadObjectLockSettingStopsTheBackupWithOneLineNamingIt(String variable, String mode, String days,
            String problem) throws Exception {
        app().set("OBJECT_LOCK_MODE", mode).set("OBJECT_LOCK_DAYS", days);
        if (variable.equals("UPLOAD_STORAGE_CLASS")) {
            app.set(variable, "deep archive");
        }

        InProcessPgBackup.Result run = app.run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr().lines().filter(l -> l.contains("invalid setting"))).as(run.toString())
                .singleElement().asString().startsWith("pg-backup: invalid setting " + variable + ": " + problem);
        assertThat(app.connections()).as("connections to the database or store").isZero();
    }

    /** Was SecondDestinationIT#halfSetCopySettingsStopWithTheMissingSettingsName. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"backup|COPY_TO_ENDPOINT", "backup|COPY_TO_BUCKET", "list|COPY_TO_SECRET_KEY"})
    void halfSetCopySettingsStopWithTheMissingSettingsName(String command, String missing) throws Exception {
        app().set("COPY_TO_ENDPOINT", app.url("")).set("COPY_TO_BUCKET", "offsite").set("COPY_TO_PREFIX", "offsite/")
                .set("COPY_TO_ACCESS_KEY", "copy-access").set("COPY_TO_SECRET_KEY", "copy-secret").set(missing, null);

        InProcessPgBackup.Result run = app.run(command);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr()).contains("invalid setting " + missing);
        assertThat(app.connections()).as("connections to either store or the database").isZero();
    }

    /** Was SeveralDatabasesIT#aBadDatabaseListIsOneLineNamingTheSetting. */
    @Test
    void aBadDatabaseListIsOneLineNamingTheSetting() throws Exception {
        InProcessPgBackup.Result run = app().set("DB_NAME", "alpha,,beta").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr().strip())
                .isEqualTo("pg-backup: invalid setting DB_NAME: 'alpha,,beta' has an empty name (a name, a comma list, or *)");
        assertThat(app.connections()).isZero();
    }

    /** Was DataStaysDataIT#aJdbcUrlHoldingALoginIsRefusedNamingTheSupportedForm: its password never shown. */
    @Test
    void aJdbcUrlHoldingALoginIsRefusedNamingTheSupportedForm() throws Exception {
        InProcessPgBackup.Result run = app()
                .set("SCHEDULER_JDBC_URL", "jdbc:postgresql://sched:jdbcSECRETpw@127.0.0.1:" + app.port() + "/q")
                .run("service");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        List<String> lines = run.stderr().lines().filter(l -> l.contains("invalid setting")).toList();
        assertThat(lines).as(run.toString()).singleElement().asString()
                .startsWith("pg-backup: invalid setting SCHEDULER_JDBC_URL")
                .contains("SCHEDULER_JDBC_USER").contains("SCHEDULER_JDBC_PASSWORD");
        assertThat(run.all()).doesNotContain("jdbcSECRETpw");
        assertThat(app.connections()).isZero();
    }
}
