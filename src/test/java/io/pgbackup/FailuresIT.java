package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.CuttingProxy;
import io.pgbackup.support.FaultyHttpProxy;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SecretManagerStandIn;
import io.pgbackup.support.SecretManagerStandIn.Mode;
import io.pgbackup.support.WebhookStandIn;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every failure of the failure list, end to end with real servers: each must reach the dead-letter route (one log
 * line naming stage, database and cause), notify Slack (a webhook stand-in) and email (GreenMail SMTP), make
 * {@code backup} exit 1, and leave no object, no multipart upload and no file in the work dir behind.
 */
@Timeout(900)
class FailuresIT {

    static final String PASSWORD = "fail-it \"pw\" $(id) 암호";
    static final String SMTP_PASSWORD = "smtp-secret-pass";
    static final String DB = "orders";
    static final String BULK_DB = "bulk";
    static final String BUCKET = "failures";
    static final int RETRY_MAX = 2;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "fail_user", PASSWORD).withSlack()
            .withSecretManager("sec-fail");

    static PostgresServer postgres;
    static S3Server s3;
    static SecretManagerStandIn secretManager;
    static WebhookStandIn slack;
    static GreenMail mail;

    @TempDir
    Path workDir;

    int slackBefore;
    int mailBefore;
    int objectsBefore;
    /** Every key in the bucket before the test, manifests included. */
    Set<String> keysBefore;

    @BeforeAll
    static void startServers() throws Exception {
        mail = new GreenMail(new ServerSetup(PostgresServer.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.setUser("alerts@example.com", "smtp-user", SMTP_PASSWORD);
        mail.start();
        postgres.createDatabase(DB);
        postgres.psql(DB, "CREATE TABLE items (id int PRIMARY KEY, name text);"
                + " INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2000) g;");
        postgres.createDatabase(BULK_DB);
        postgres.psql(BULK_DB, "CREATE TABLE blobs (id int, a text, b text, c text);"
                + " INSERT INTO blobs SELECT g, md5(g::text), md5((g * 7)::text), md5((g * 13)::text)"
                + " FROM generate_series(1, 250000) g;");
    }

    @AfterAll
    static void stopServers() throws Exception {
        mail.stop();
    }

    @BeforeEach
    void snapshot() {
        secretManager.mode(Mode.NORMAL);
        slack.failWith(0);
        slackBefore = slack.texts().size();
        mailBefore = mail.getReceivedMessages().length;
        objectsBefore = s3.objects(BUCKET).size();
        keysBefore = new HashSet<>(s3.keys(BUCKET));
    }

    PgBackupProcess pgBackup() {
        Map<String, String> env = new HashMap<>();
        env.put("SECRET_MANAGER_TIMEOUT_MS", "1500");
        env.put("DB_CONNECT_TIMEOUT_SECONDS", "5");
        env.put("BACKUP_WORK_DIR", workDir.toString());
        env.put("RETRY_MAX", Integer.toString(RETRY_MAX));
        env.put("RETRY_DELAY_MS", "100");
        env.put("MAIL_SMTP_HOST", "127.0.0.1");
        env.put("MAIL_SMTP_PORT", Integer.toString(mail.getSmtp().getPort()));
        env.put("MAIL_SMTP_USER", "smtp-user");
        env.put("MAIL_SMTP_PASSWORD", SMTP_PASSWORD);
        env.put("MAIL_SMTP_STARTTLS", "false");
        env.put("MAIL_FROM", "pg-backup@example.com");
        env.put("MAIL_TO", "alerts@example.com");
        env.put("NOTIFY_TIMEOUT_MS", "5000");
        return SERVERS.connected(DB).setAll(env);
    }

    // ---- Secret Manager ----------------------------------------------------------------------------------

    /** Nothing listens, so nothing can count the requests: the retries are counted from the log. */
    @Test
    void secretManagerUnreachableIsRetriedThenReported() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("SECRET_MANAGER_URL", "http://127.0.0.1:" + PostgresServer.freePort()).run("backup");

        assertFailureReported(run, "secret", "Connection refused");
        assertThat(attempts(run)).isEqualTo(1 + RETRY_MAX);
    }

    @Test
    void secretManagerTimeoutIsRetriedThenReported() throws Exception {
        assertRetriedThenReported(Mode.SLOW, "timed out", "slow");
    }

    /**
     * With Secret Manager answering in {@code mode}, the backup fails at stage secret saying {@code said}, after one
     * call and RETRY_MAX retries, counted where they arrive: the requests Secret Manager received ({@code verdict}).
     */
    private void assertRetriedThenReported(Mode mode, String said, String verdict) throws Exception {
        secretManager.mode(mode);
        int before = secretManager.verdicts().size();

        PgBackupProcess.Result run = pgBackup().run("backup");

        assertFailureReported(run, "secret", said);
        assertThat(secretManager.verdicts().subList(before, secretManager.verdicts().size()))
                .as("one call and RETRY_MAX retries").hasSize(1 + RETRY_MAX).containsOnly(verdict);
    }

    @Test
    void secretManagerRejectingTheSignatureIsNotRetried() throws Exception {
        int before = secretManager.verdicts().size();

        PgBackupProcess.Result run = pgBackup().set("SECRET_KEY", "wrong-secret-key").run("backup");

        assertFailureReported(run, "secret", "statusCode: 401");
        assertThat(secretManager.verdicts().subList(before, secretManager.verdicts().size())).containsExactly("bad-signature");
        assertThat(run.all()).doesNotContain("wrong-secret-key");
    }

    @Test
    void secretManagerServerErrorIsRetriedThenReported() throws Exception {
        assertRetriedThenReported(Mode.SERVER_ERROR, "statusCode: 503", "server-error");
    }

    /**
     * A Secret Manager answer that gives no password (an error code, JSON that is not, no password key) is reported at
     * stage secret, never quoting the answer (the malformed one holds the password: assertNoSecrets).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"CODE_NOT_SUCCESS, SECRET_NOT_FOUND", "MALFORMED_JSON, not valid JSON",
            "WITHOUT_PASSWORD_KEY, SECRET_PASSWORD_KEY"})
    void secretManagerAnswerWithoutAPasswordIsReported(Mode answer, String cause) throws Exception {
        secretManager.mode(answer);

        assertFailureReported(pgBackup().run("backup"), "secret", cause);
    }

    // ---- pg_dump -------------------------------------------------------------------------------------------

    @Test
    void wrongDatabasePasswordIsNotRetried() throws Exception {
        assertFailsAtTheFirstAttempt("DB_PASSWORD", "not-the-password", "dump", "password authentication failed");
    }

    /** A backup with {@code variable} set to {@code value} fails at {@code stage} saying {@code cause}, not retried. */
    private PgBackupProcess.Result assertFailsAtTheFirstAttempt(String variable, String value, String stage, String cause)
            throws Exception {
        PgBackupProcess.Result run = pgBackup().set(variable, value).run("backup");

        assertFailureReported(run, stage, cause);
        assertThat(attempts(run)).isEqualTo(1);
        return run;
    }

    @Test
    void missingDatabaseIsNotRetried() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("DB_NAME", "no_such_db").run("backup");

        assertFailureReported(run, "dump", "does not exist", "no_such_db");
        assertThat(attempts(run)).isEqualTo(1);
    }

    @Test
    void databaseServerDownIsRetriedThenReported() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("DB_PORT", Integer.toString(PostgresServer.freePort())).run("backup");

        assertFailureReported(run, "dump", "Connection refused");
        assertThat(attempts(run)).isEqualTo(1 + RETRY_MAX);
    }

    /**
     * The image has only PostgreSQL 15, so a newer server cannot be started here: a stand-in pg_dump prints what
     * pg_dump 15 prints against a PostgreSQL 17 server and exits 1, after emitting a partial header.
     */
    @Test
    void serverNewerThanTheClientIsReported() throws Exception {
        Path fake = workDir.resolveSibling(workDir.getFileName() + "-pg_dump-15");
        Files.writeString(fake, "#!/bin/sh\necho '--'\necho '-- PostgreSQL database dump'\n"
                + "echo 'pg_dump: error: aborting because of server version mismatch' >&2\n"
                + "echo 'pg_dump: detail: server version: 17.2; pg_dump version: 15.18' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        try {
            assertFailsAtTheFirstAttempt("PG_DUMP_PATH", fake.toString(), "dump", "server version mismatch");
        } finally {
            Files.deleteIfExists(fake);
        }
    }

    /** A real hang: another session holds an exclusive lock, so pg_dump waits on it until DUMP_TIMEOUT_MS. */
    @Test
    void dumpHangingPastItsTimeoutIsKilledAndReported() throws Exception {
        Process locker = postgres.hold(DB, "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);");
        try {
            assertFailsAtTheFirstAttempt("DUMP_TIMEOUT_MS", "3000", "dump", "timeout");
        } finally {
            postgres.release(locker);
        }
    }

    // ---- compression / work dir ------------------------------------------------------------------------------

    @Test
    void aFullWorkDirDoesNotStopABackupNothingIsWrittenThere() throws Exception {
        Path small = Files.createTempDirectory("pg-backup-full");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        boolean mounted = mount.waitFor(20, TimeUnit.SECONDS) && mount.exitValue() == 0;
        if (!mounted) {
            // no tmpfs here (an unprivileged container): the same backup into an empty folder, watched for any file
            Files.deleteIfExists(small);
            aBackupWritesNothingToItsWorkDir();
            return;
        }
        try {
            Files.write(small.resolve("filler"), new byte[1024 * 1024 - 4096], java.nio.file.StandardOpenOption.CREATE);
            PgBackupProcess.Result run = pgBackup().set("DB_NAME", BULK_DB).set("BACKUP_WORK_DIR", small.toString())
                    .set("BACKUP_PREFIX", "fulldisk/").run("backup");

            assertThat(run.exitCode()).as("the dump streams to Object Storage, not to disk: " + run).isZero();
            assertThat(s3.objects(BUCKET)).filteredOn(o -> o.key().startsWith("fulldisk/")).singleElement()
                    .satisfies(o -> assertThat(o.size()).isGreaterThan(10L * 1024 * 1024));
            try (Stream<Path> left = Files.list(small)) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactly("filler");
            }
        } finally {
            new ProcessBuilder("umount", small.toString()).start().waitFor(20, TimeUnit.SECONDS);
            Files.deleteIfExists(small);
        }
    }

    /** Without a full disk to offer: the work dir is watched while a 40 MB dump is backed up; no file ever appears. */
    private void aBackupWritesNothingToItsWorkDir() throws Exception {
        Path watched = Files.createTempDirectory("pg-backup-watched");
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                try (Stream<Path> files = Files.walk(watched)) {
                    files.filter(Files::isRegularFile).findFirst().ifPresent(f -> seen.compareAndSet(null, f.toString()));
                    Thread.sleep(20);
                } catch (IOException | InterruptedException | java.io.UncheckedIOException e) {
                    return;
                }
            }
        });
        watcher.start();
        try {
            PgBackupProcess.Result run = pgBackup().set("DB_NAME", BULK_DB).set("BACKUP_WORK_DIR", watched.toString())
                    .set("BACKUP_PREFIX", "fulldisk/").run("backup");
            assertThat(run.exitCode()).as(run.toString()).isZero();
        } finally {
            watching.set(false);
            watcher.join(5000);
            Files.deleteIfExists(watched);
        }
        assertThat(seen.get()).as("a file written to BACKUP_WORK_DIR during the backup").isNull();
    }

    // ---- Object Storage -------------------------------------------------------------------------------------

    @Test
    void objectStorageUnreachableIsRetriedThenReported() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("OBJECT_STORAGE_ENDPOINT", "http://127.0.0.1:" + PostgresServer.freePort())
                .run("backup");

        assertFailureReported(run, "upload", "Connection refused");
        assertThat(attempts(run)).isEqualTo(1 + RETRY_MAX);
    }

    @Test
    void objectStorageRejectingTheKeysIsNotRetried() throws Exception {
        PgBackupProcess.Result run = assertFailsAtTheFirstAttempt("OBJECT_STORAGE_SECRET_KEY", "not-the-s3-secret",
                "upload", "403");

        assertThat(run.all()).doesNotContain("not-the-s3-secret");
    }

    @Test
    void missingBucketIsNotRetried() throws Exception {
        assertFailsAtTheFirstAttempt("BUCKET_NAME", "no-such-bucket", "upload", "bucket does not exist");
    }

    /** The network fails during a multipart upload: the upload is aborted, nothing is left in the bucket. */
    @Test
    void connectionCutMidUploadLeavesNoObjectAndNoParts() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(java.net.URI.create(s3.endpoint()).getPort(), 2 * 1024 * 1024)) {
            proxy.arm();

            PgBackupProcess.Result run = pgBackup().set("DB_NAME", BULK_DB).set("UPLOAD_PART_SIZE", "5242880")
                    .set("OBJECT_STORAGE_ENDPOINT", proxy.endpoint()).run("backup");

            assertFailureReported(run, "upload", null);
            assertThat(proxy.cuts()).isPositive();
            assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads())
                    .as("aborted multipart uploads").isEmpty();
        }
    }

    // ---- notifications ---------------------------------------------------------------------------------------

    @Test
    void withNotifyOnAlwaysASuccessIsAnnouncedWithKeySizeAndDuration() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("NOTIFY_ON", "always").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String slackText = single(newSlackTexts());
        assertThat(slackText).contains("OK: " + DB).contains("key:").contains(BUCKET + "/").contains("size:")
                .contains("duration:").contains("host:");
        MimeMessage message = single(newMails());
        assertThat(message.getSubject()).startsWith("[pg-backup] OK: " + DB);
        assertThat(GreenMailUtil.getBody(message)).contains("key:").contains(".sql.gz");
        assertNoSecrets(run.all(), slackText, GreenMailUtil.getWholeMessage(message));
    }

    @Test
    void byDefaultASuccessIsNotAnnounced() throws Exception {
        PgBackupProcess.Result run = pgBackup().run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(newSlackTexts()).isEmpty();
        assertThat(newMails()).isEmpty();
    }

    @Test
    void aSlackOutageNeverFailsAGoodBackup() throws Exception {
        slack.failWith(500);

        PgBackupProcess.Result run = pgBackup().set("NOTIFY_ON", "always").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("Slack notification failed");
        assertThat(s3.objects(BUCKET)).hasSize(objectsBefore + 1);
        assertThat(single(newMails()).getSubject()).contains("OK");
    }

    @Test
    void aSlackOutageNeverHidesTheOriginalError() throws Exception {
        slack.failWith(503);

        PgBackupProcess.Result run = pgBackup().set("DB_NAME", "missing_for_slack").run("backup");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains("backup FAILED stage=dump database=missing_for_slack")
                .contains("Slack notification failed");
        assertThat(GreenMailUtil.getBody(single(newMails()))).contains("missing_for_slack").contains("does not exist");
    }

    /** The webhook URL's path is its secret: even with every logger at DEBUG it is never printed. */
    @Test
    void theSlackWebhookTokenStaysOutOfDebugLogs() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("DB_NAME", "missing_for_debug").set("LOG_LEVEL", "DEBUG")
                .set("CAMEL_LOG_LEVEL", "DEBUG").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(single(newSlackTexts())).contains("missing_for_debug");
        assertThat(run.stderr()).as("DEBUG logging is on").contains("DEBUG");
        assertThat(run.all()).doesNotContain("B000/XXXX");
        assertNoSecrets(run.all());
    }

    // ---- start-up checks and the schedule ----------------------------------------------------------------------

    /**
     * A bad setting through the real process (exit code and stderr of the JVM the launcher starts); the other bad
     * settings are proven in-process by SettingsRefusedAtStartTest.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "BACKUP_CRON|every day|BACKUP_CRON",
    })
    void invalidSettingsStopTheAppWithOneLineNamingTheSetting(String variable, String value, String named) throws Exception {
        PgBackupProcess process = pgBackup().set(variable, value == null ? "" : value);

        for (String command : List.of("backup", "service")) {
            PgBackupProcess.Result run = process.timeoutSeconds(60).run(command);

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
            List<String> lines = run.stderr().lines().filter(l -> l.contains(named)).toList();
            assertThat(lines).as(run.toString()).hasSize(1);
            assertThat(lines.get(0)).startsWith("pg-backup: invalid setting " + named);
            assertThat(run.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(s3.objects(BUCKET)).hasSize(objectsBefore);
    }

    /** The service fires on its cron; a trigger that comes while a backup still runs is skipped with a warning. */
    @Test
    void theServiceBacksUpOnScheduleAndSkipsOverlappingTriggers() throws Exception {
        // one service start (a fire every second) for both: until two fires were stored (bounded); then, with the
        // table locked, until a fire came while the held-up backup still ran (bounded: a slow start leaves fewer fires
        // in a fixed time, not fewer chances to overlap); then the lock released and a stop as a user would
        PgBackupProcess.Running scheduled = pgBackup().set("BACKUP_CRON", "* * * * * ?").set("BACKUP_PREFIX", "sched/")
                .launch();
        Process locker = null;
        PgBackupProcess.Result service;
        try {
            long storedBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (scheduledObjects().size() < 2 && System.nanoTime() < storedBy) {
                Thread.sleep(200);
            }
            assertThat(scheduledObjects()).as(scheduled.peekStderr()).hasSizeGreaterThanOrEqualTo(2);

            locker = postgres.hold(DB, "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!scheduled.peekStderr().contains("scheduled backup skipped: the previous backup was still running")
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            if (locker != null) {
                postgres.release(locker);
            }
            service = scheduled.stop();
        }

        assertThat(scheduledObjects()).as(service.toString()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(service.stderr()).as(service.toString())
                .contains("scheduled backup skipped: the previous backup was still running at fire time");
        assertThat(count(service.stderr(), "backup of " + DB + " started"))
                .as("fires skipped, not queued").isLessThan(count(service.stderr(), "scheduled backup: fire time"));
    }

    private List<S3Object> scheduledObjects() {
        return s3.objects(BUCKET).stream().filter(o -> o.key().startsWith("sched/")).toList();
    }

    /** SIGTERM (a deploy, a reboot) during a dump: the running backup finishes and is stored before the exit. */
    @Test
    void aStopDuringABackupLetsItFinish() throws Exception {
        Path marker = workDir.resolveSibling(workDir.getFileName() + "-dump-started");
        Path slow = workDir.resolveSibling(workDir.getFileName() + "-slow-pg_dump");
        Files.writeString(slow, "#!/bin/sh\ntouch '" + marker + "'\nsleep 4\nexec '"
                + PostgresServer.BIN.resolve("pg_dump") + "' \"$@\"\n");
        slow.toFile().setExecutable(true);
        try {
            PgBackupProcess.Running service = pgBackup().set("PG_DUMP_PATH", slow.toString())
                    .set("DB_PASSWORD", PASSWORD).set("BACKUP_CRON", "0/2 * * * * ?").set("BACKUP_PREFIX", "sigterm/")
                    .launch();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(marker) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(marker).as(service.peekStderr()).exists();
            PgBackupProcess.Result stopped = service.stop();

            assertThat(stopped.exitCode()).as("a clean stop: " + stopped).isZero();
            assertThat(stopped.stderr()).as(stopped.toString()).contains("started ->").contains("stored: " + BUCKET + "/sigterm/")
                    .doesNotContain("backup FAILED");
            assertThat(s3.objects(BUCKET)).filteredOn(o -> o.key().startsWith("sigterm/")).hasSize(1);
        } finally {
            Files.deleteIfExists(slow);
            Files.deleteIfExists(marker);
        }
    }

    // ---- failures after the upload began: nothing may stay ----------------------------------------------------

    /**
     * A dump of the bulk database that pg_dump gives up on after 20 MB (of its ~26 MB). Whether a part reached the store
     * before the exit code is read depends on timing (the compressor still holds blocks): the failure after parts were
     * surely stored (checked with ListParts) is UploadFaultsIT#aDumpFailingAfterPartsWereStoredAbortsThemAndKeepsNothing.
     */
    private Path dumpThatStopsAfter20Mb(int exitCode) throws IOException {
        Path wrapper = workDir.resolveSibling(workDir.getFileName() + "-stopping-pg_dump-" + exitCode);
        Files.writeString(wrapper, "#!/bin/sh\n'" + PostgresServer.BIN.resolve("pg_dump") + "' \"$@\" | head -c 20000000\nexit "
                + exitCode + "\n");
        wrapper.toFile().setExecutable(true);
        return wrapper;
    }

    @Test
    void pgDumpFailingPartWayLeavesTheBucketAsItWas() throws Exception {
        Path wrapper = dumpThatStopsAfter20Mb(1);
        try {
            PgBackupProcess.Result run = pgBackup().set("DB_NAME", BULK_DB).set("DB_PASSWORD", PASSWORD)
                    .set("UPLOAD_PART_SIZE", "5242880").set("BACKUP_PROGRESS_INTERVAL_SECONDS", "1")
                    .set("PG_DUMP_PATH", wrapper.toString()).run("backup");

            assertFailureReported(run, "dump", "exited with code 1", BULK_DB);
        } finally {
            Files.deleteIfExists(wrapper);
        }
    }

    /** Exit code 0 but the output cut short: pg_dump's closing line is missing, and that is enough. */
    @Test
    void aDumpCutShortWithExitCodeZeroLeavesTheBucketAsItWas() throws Exception {
        Path wrapper = dumpThatStopsAfter20Mb(0);
        try {
            PgBackupProcess.Result run = pgBackup().set("DB_NAME", BULK_DB).set("DB_PASSWORD", PASSWORD)
                    .set("UPLOAD_PART_SIZE", "5242880").set("PG_DUMP_PATH", wrapper.toString()).run("backup");

            assertFailureReported(run, "dump", "the dump is incomplete", BULK_DB);
        } finally {
            Files.deleteIfExists(wrapper);
        }
    }

    /** The read-back (VERIFY_DOWNLOAD) gets a corrupted copy: the stored object is removed, the backup fails. */
    @Test
    void aCorruptedReadBackRemovesTheStoredObject() throws Exception {
        try (FaultyHttpProxy proxy = new FaultyHttpProxy(java.net.URI.create(s3.endpoint()).getPort())
                .corruptBodiesLargerThan(1_000_000)) {
            PgBackupProcess.Result run = pgBackup().set("DB_NAME", BULK_DB).set("DB_PASSWORD", PASSWORD)
                    .set("VERIFY_DOWNLOAD", "true").set("OBJECT_STORAGE_ENDPOINT", proxy.endpoint()).run("backup");

            assertFailureReported(run, "verify", null, BULK_DB);
            assertThat(run.stderr()).containsAnyOf("is damaged", "the object is corrupted", "differs from its manifest in chunk");
            assertThat(proxy.corrupted()).isPositive();
            assertThat(run.stderr()).contains("removed " + BUCKET + "/");
        }
    }

    /** The store refuses the manifest write: the object is removed too, nothing is left that looks like a backup. */
    @Test
    void aManifestTheStoreRefusesRemovesTheStoredObject() throws Exception {
        try (FaultyHttpProxy proxy = new FaultyHttpProxy(java.net.URI.create(s3.endpoint()).getPort())
                .dropRequests(line -> line.startsWith("PUT ") && line.contains(".manifest.json"))) {
            PgBackupProcess.Result run = pgBackup().set("DB_PASSWORD", PASSWORD)
                    .set("OBJECT_STORAGE_ENDPOINT", proxy.endpoint()).run("backup");

            assertFailureReported(run, "manifest", null);
            assertThat(proxy.dropped()).isPositive();
            assertThat(run.stderr()).contains("removed " + BUCKET + "/");
        }
    }

    // ---- exit codes of the other commands -------------------------------------------------------------------

    @Test
    void listAndPruneExit1WhenTheStoreCannotBeReached() throws Exception {
        for (String command : List.of("list", "prune")) {
            PgBackupProcess.Result run = pgBackup().set("OBJECT_STORAGE_ENDPOINT", "http://127.0.0.1:" + PostgresServer.freePort())
                    .set("RETENTION_KEEP_LAST", "3").run(command);

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.stderr()).contains("Connection refused");
        }
    }

    // ---- transport -----------------------------------------------------------------------------------------

    /** DB_SSLMODE reaches every client: require, against a server without TLS, fails the dump and is not retried. */
    @Test
    void theSslModeReachesPgDump() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("DB_SSLMODE", "require").set("DB_PASSWORD", PASSWORD).run("backup");

        assertFailureReported(run, "dump", "SSL");
        assertThat(attempts(run)).isEqualTo(1);
    }

    /** MAIL_SMTP_STARTTLS=true is a requirement: a server without STARTTLS gets nothing, and that is logged. */
    @Test
    void startTlsWhenOnIsRequiredNeverAPlainTextFallback() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("MAIL_SMTP_STARTTLS", "true").set("DB_PASSWORD", "wrong").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(single(newSlackTexts())).contains("FAILED");
        assertThat(run.stderr()).contains("email notification failed").containsIgnoringCase("STARTTLS");
        assertThat(mail.getReceivedMessages()).hasSize(mailBefore);
    }

    /** The SMTP server checks the login (GreenMail with a user and password): a wrong password delivers nothing. */
    @Test
    void aWrongSmtpPasswordDeliversNothingAndIsLogged() throws Exception {
        PgBackupProcess.Result run = pgBackup().set("MAIL_SMTP_PASSWORD", "not-the-smtp-password").set("DB_PASSWORD", "wrong")
                .run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(single(newSlackTexts())).contains("FAILED");
        assertThat(run.stderr()).contains("email notification failed").containsIgnoringCase("authentication");
        assertThat(mail.getReceivedMessages()).hasSize(mailBefore);
        assertThat(run.all()).doesNotContain("not-the-smtp-password");
    }

    // ---- settings that hold secrets, and settings every command reads ---------------------------------------

    /**
     * A secret setting through the real process, its INFO logs included; the other rows are proven in-process by
     * SettingsRefusedAtStartTest.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "backup|SLACK_WEBHOOK_URL|hooks.slack.com/services/T0/B0/tokenSECRETtoken|tokenSECRETtoken",
    })
    void aBadSettingIsOneLineNamingItAndNeverItsSecret(String command, String variable, String value, String secret)
            throws Exception {
        PgBackupProcess.Result run = pgBackup().set(variable, value).set("DB_PASSWORD", PASSWORD).timeoutSeconds(60)
                .run(command.equals("restore") ? new String[] {"restore", "--target-db", "never_made"} : new String[] {command});

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        List<String> lines = run.stderr().lines().filter(l -> l.contains("invalid setting")).toList();
        assertThat(lines).as(run.toString()).singleElement().asString().startsWith("pg-backup: invalid setting " + variable);
        if (secret != null) {
            assertThat(run.all()).doesNotContain(secret);
        }
        assertThat(s3.objects(BUCKET)).hasSize(objectsBefore);
    }

    // ---- bucket hygiene ------------------------------------------------------------------------------------

    /**
     * A backup killed with SIGKILL mid-upload leaves a multipart upload behind; the next backup aborts it once its
     * backup began longer ago than DUMP_TIMEOUT_MS allows (no running backup can own it any more), and says so. An
     * upload of a key that is not a backup's is left alone.
     */
    @Test
    void aKilledBackupsUploadIsAbortedByTheNextBackup() throws Exception {
        Path stalling = workDir.resolveSibling(workDir.getFileName() + "-stalling-pg_dump");
        Files.writeString(stalling, "#!/bin/sh\n'" + PostgresServer.BIN.resolve("pg_dump") + "' \"$@\" | head -c 4000000\n"
                + "head -c 24000000 /dev/urandom\nsleep 60\n");
        stalling.toFile().setExecutable(true);
        String prefix = "killed/";
        try {
            // 4 MB of the bulk dump, then 24 MB that no compressor shrinks, then the dump stalls: several 5 MiB parts are
            // uploaded by then (without an end of input, the compressor holds back what 20 MB of a dump that compresses
            // well make: no part is sent; incompressible bytes go out as they come, with no large database to make)
            PgBackupProcess.Running killed = pgBackup().set("DB_NAME", BULK_DB).set("DB_PASSWORD", PASSWORD)
                    .set("UPLOAD_PART_SIZE", "5242880").set("BACKUP_PREFIX", prefix)
                    .set("PG_DUMP_PATH", stalling.toString()).launch("backup");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (openUploads(prefix) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(openUploads(prefix)).as(killed.peekStderr()).isEqualTo(1);
            String foreign = prefix + "other-tool/part.bin";
            s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(foreign));
            killed.killWithChildren();
            // DUMP_TIMEOUT_MS=2000 below: a backup begun over 4 s ago (2 s, plus as much again for its last part) is over
            Thread.sleep(4000);

            PgBackupProcess.Result next = pgBackup().set("DB_PASSWORD", PASSWORD).set("BACKUP_PREFIX", prefix)
                    .set("DUMP_TIMEOUT_MS", "2000").run("backup");

            assertThat(next.exitCode()).as(next.toString()).isZero();
            assertThat(next.stderr()).contains("aborted the incomplete multipart upload of " + BUCKET + "/" + prefix);
            assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads())
                    .as("only the foreign upload is left").singleElement().satisfies(u -> assertThat(u.key()).isEqualTo(foreign));
            s3.client().listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads().forEach(u -> s3.client()
                    .abortMultipartUpload(b -> b.bucket(BUCKET).key(u.key()).uploadId(u.uploadId())));
            assertThat(s3.objects(BUCKET)).filteredOn(o -> o.key().startsWith(prefix)).hasSize(1)
                    .allMatch(o -> o.key().contains(DB + "_"));
        } finally {
            Files.deleteIfExists(stalling);
        }
    }

    private int openUploads(String prefix) {
        return s3.client().listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads().size();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void assertFailureReported(PgBackupProcess.Result run, String stage, String cause) throws Exception {
        assertFailureReported(run, stage, cause, null, workDir);
    }

    private void assertFailureReported(PgBackupProcess.Result run, String stage, String cause, String database)
            throws Exception {
        assertFailureReported(run, stage, cause, database, workDir);
    }

    private void assertFailureReported(PgBackupProcess.Result run, String stage, String cause, String database,
            Path workFolder) throws Exception {
        String db = database != null ? database : run.stderr().contains("database=" + BULK_DB) ? BULK_DB : DB;
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        List<String> failureLines = run.stderr().lines().filter(l -> l.contains("backup FAILED")).toList();
        assertThat(failureLines).as(run.toString()).hasSize(1);
        assertThat(failureLines.get(0)).contains("stage=" + stage + " database=" + db);
        if (cause != null) {
            assertThat(failureLines.get(0)).contains(cause);
        }

        String slackText = single(newSlackTexts());
        assertThat(slackText).contains("FAILED").contains(db).contains("stage:    " + stage).contains("host:")
                .contains("duration:").contains("started:");
        MimeMessage message = single(newMails());
        assertThat(message.getSubject()).isEqualTo("[pg-backup] FAILED: " + db + " (" + stage + ") on "
                + java.net.InetAddress.getLocalHost().getHostName());
        String body = GreenMailUtil.getBody(message);
        assertThat(body).contains("database: " + db).contains("stage:    " + stage).contains("cause:");
        if (cause != null) {
            assertThat(slackText).contains(cause);
            assertThat(body).contains(cause);
        }

        assertThat(new HashSet<>(s3.keys(BUCKET))).as("the whole bucket as before the run, manifests included")
                .isEqualTo(keysBefore);
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
        assertThat(filesIn(workFolder)).as("work dir left clean").isEmpty();
        assertNoSecrets(run.all(), slackText, GreenMailUtil.getWholeMessage(message));
    }

    private static int attempts(PgBackupProcess.Result run) {
        return count(run.stderr(), "Failed delivery for");
    }

    private static int count(String text, String fragment) {
        Matcher m = Pattern.compile(Pattern.quote(fragment)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private List<String> newSlackTexts() {
        return new ArrayList<>(slack.texts().subList(slackBefore, slack.texts().size()));
    }

    private List<MimeMessage> newMails() throws Exception {
        mail.waitForIncomingEmail(2000, mailBefore + 1);
        MimeMessage[] all = mail.getReceivedMessages();
        return Arrays.asList(all).subList(mailBefore, all.length);
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    private static List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static void assertNoSecrets(String... texts) {
        for (String text : texts) {
            assertThat(text).doesNotContain(PASSWORD).doesNotContain("암호").doesNotContain(SMTP_PASSWORD)
                    .doesNotContain(SecretManagerStandIn.SECRET_KEY).doesNotContain(S3Server.SECRET_KEY);
        }
    }
}
