package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SecretManagerStandIn;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backup (and a test restore) while the database password is being rotated in NCP Secret Manager: the secret has
 * an active, a pending and a previous value, and the role on the real PostgreSQL 15 has one of them (or none). The
 * value the database has is found by one login before the dump, only a refused password moves on to the next stage,
 * the stage that worked is logged and alerted (a Slack stand-in), and no value ever appears in the output or an alert.
 */
@Timeout(300)
class RotatedPasswordIT {

    static final String BUCKET = "stages-it";
    static final String DB = "rot_db";
    static final String OTHER_DB = "rot_db_two";
    static final String ROLE = "rot_user";
    static final String SECRET_ID = "sec-rot";
    static final String ACTIVE = "rot-active \"A\" 활성";
    static final String PENDING = "rot-pending 'B' 대기";
    static final String PREVIOUS = "rot-previous $(C) 이전";
    static final String NONE_OF_THEM = "rot-other-value-D";
    static final List<String> VALUES = List.of(ACTIVE, PENDING, PREVIOUS, NONE_OF_THEM);

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, ROLE, ACTIVE).withSlack()
            .withSecretManager(SECRET_ID)
            .withDatabase(DB, "CREATE TABLE accounts (id int PRIMARY KEY, owner text);"
                    + " INSERT INTO accounts SELECT g, 'owner ' || g FROM generate_series(1, 300) g;")
            .withDatabase(OTHER_DB);

    static PostgresServer postgres;
    static S3Server s3;
    static SecretManagerStandIn secretManager;
    static WebhookStandIn slack;

    int slackBefore;

    @BeforeAll
    static void startServers() throws Exception {
        secretManager.stages(ACTIVE, PENDING, PREVIOUS);
    }

    @BeforeEach
    void snapshot() {
        slackBefore = slack.texts().size();
    }

    @Test
    void duringARotationThePendingValueTheDatabaseHasIsUsedAndAlertedAsUnderWay() throws Exception {
        Stored stored = backUpWhileTheRoleHas(PENDING, "pending/");

        assertThat(stored.log()).contains("password rotation under way").contains("refused the active value")
                .contains("accepted the pending one").contains(SECRET_ID);
        assertThat(stored.alert()).contains("ALERT").contains("password rotation under way").contains("pending")
                .contains("the backup goes on with the pending value");
    }

    @Test
    void aRotationNotFinishedUsesThePreviousValueAndAlertsItAsStuck() throws Exception {
        Stored stored = backUpWhileTheRoleHas(PREVIOUS, "previous/");

        assertThat(stored.log()).contains("password rotation stuck or not finished")
                .contains("refused the active and pending value").contains("accepted the previous one");
        assertThat(stored.alert()).contains("ALERT").contains("stuck or not finished")
                .contains("give the database the active value");
    }

    @Test
    void aRunOfSeveralDatabasesAlertsTheRotationOnceAndLogsItForEach() throws Exception {
        roleHasPassword(PENDING);

        PgBackupProcess.Result run = pgBackup("several/").set("DB_NAME", DB + "," + OTHER_DB).run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(storedUnder("several/")).as("two backups and their manifests").hasSize(4);
        assertThat(run.stderr().split("accepted the pending one", -1)).as("a line for each database").hasSize(1 + 2);
        String alert = single(newSlackTexts());
        assertThat(alert).contains("password rotation under way");
        assertNoValueIn(run.all() + alert);
    }

    /** What a backup that succeeded logged, and the one alert it sent. */
    record Stored(String log, String alert) {
    }

    /** A backup while the role's password is {@code password}: it must succeed, store, alert once, show no value. */
    private Stored backUpWhileTheRoleHas(String password, String prefix) throws Exception {
        roleHasPassword(password);

        PgBackupProcess.Result run = pgBackup(prefix).run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(storedUnder(prefix)).as("the backup and its manifest").hasSize(2);
        String alert = single(newSlackTexts());
        assertNoValueIn(run.all() + alert);
        return new Stored(run.stderr(), alert);
    }

    @Test
    void noStageTheDatabaseAcceptsFailsNamingTheStagesTriedWithoutTheirValues() throws Exception {
        roleHasPassword(NONE_OF_THEM);

        PgBackupProcess.Result run = pgBackup("none/").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        List<String> failures = run.stderr().lines().filter(l -> l.contains("backup FAILED")).toList();
        assertThat(failures).as(run.toString()).hasSize(1);
        assertThat(failures.get(0)).contains("stage=dump database=" + DB).contains("refused every stage")
                .contains("(tried active, pending, previous)").contains("password authentication failed");
        String failure = single(newSlackTexts());
        assertThat(failure).contains("FAILED").contains("tried active, pending, previous");
        assertThat(storedUnder("none/")).isEmpty();
        assertNoValueIn(run.all() + failure);
    }

    @Test
    void aMissingDatabaseIsReportedAsItIsWithoutTryingAnotherStage() throws Exception {
        roleHasPassword(ACTIVE);

        PgBackupProcess.Result run = pgBackup("missing/").set("DB_NAME", "rot_no_such_db").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.stderr()).contains("backup FAILED stage=dump database=rot_no_such_db")
                .contains("database \"rot_no_such_db\" does not exist")
                .doesNotContain("refused every stage").doesNotContain("(tried ").doesNotContain("password rotation");
        assertThat(single(newSlackTexts())).contains("does not exist").doesNotContain("password rotation");
        assertNoValueIn(run.all());
    }

    /** Retried as a server that is down always was: each try of the login check starts from the active value. */
    @Test
    void anUnreachableServerIsReportedAsItIsWithoutTryingAnotherStage() throws Exception {
        PgBackupProcess.Result run = pgBackup("down/").set("DB_PORT", Integer.toString(PostgresServer.freePort()))
                .set("RETRY_MAX", "3").set("RETRY_DELAY_MS", "100").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.stderr()).contains("backup FAILED stage=dump").contains("Connection refused")
                .doesNotContain("refused every stage").doesNotContain("password rotation");
        assertThat(run.stderr().split("Failed delivery for", -1)).as("the first try and more retries than stages").hasSize(1 + 4);
        assertNoValueIn(run.all());
    }

    @Test
    void theTestRestoreLogsInWithTheStageTheServerAccepts() throws Exception {
        roleHasPassword(ACTIVE);
        PgBackupProcess.Result backup = pgBackup("verify/").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backup.stderr()).as("the active value accepted: nothing to tell").doesNotContain("password rotation");
        assertThat(newSlackTexts()).isEmpty();

        roleHasPassword(PENDING);
        PgBackupProcess.Result verify = pgBackup("verify/").run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.stderr()).contains("accepted the pending one").contains("test restore of");
        List<String> texts = newSlackTexts();
        assertThat(texts).anySatisfy(t -> assertThat(t).contains("password rotation under way")
                .contains("the test restore goes on with the pending value"));
        assertThat(texts).anySatisfy(t -> assertThat(t).contains("VERIFIED"));
        assertNoValueIn(backup.all() + verify.all() + String.join("\n", texts));
    }

    private static void roleHasPassword(String password) throws Exception {
        postgres.psql("postgres", "ALTER ROLE " + ROLE + " PASSWORD " + PostgresServer.quoteLiteral(password));
    }

    private PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DB, prefix).timeoutSeconds(120).set("DB_CONNECT_TIMEOUT_SECONDS", "5");
    }

    private List<String> storedUnder(String prefix) {
        return s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix)).toList();
    }

    private List<String> newSlackTexts() {
        List<String> all = new ArrayList<>(slack.texts());
        return all.subList(slackBefore, all.size());
    }

    private static String single(List<String> texts) {
        assertThat(texts).hasSize(1);
        return texts.get(0);
    }

    private static void assertNoValueIn(String text) {
        for (String value : VALUES) {
            assertThat(text).as("a password value").doesNotContain(value);
        }
        assertThat(text).doesNotContain("활성").doesNotContain("대기").doesNotContain("이전");
    }
}
